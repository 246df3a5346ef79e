import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@meshcall/shared';

/** A Socket.IO socket typed with the shared event maps: the wire itself, below SignalingConnection. */
export type SignalingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How to open a signaling socket. */
export interface SignalingSocketOptions {
  /**
   * The gateway's origin (or one signaling replica's own address); in a browser on the gateway's
   * origin leave it out and the page's origin is used.
   */
  url?: string;
  /**
   * The access token for the handshake. A function is called anew for every (re)connection, so a
   * reconnect an hour later presents a valid token; a rejection connects without one and the
   * server refuses the handshake (UNAUTHORIZED).
   */
  accessToken: string | (() => Promise<string>);
  /**
   * The room this socket will join: the gateway places every socket naming the same room on the
   * same replica (reconnections included), where signals between them are relayed in process.
   */
  roomId?: string;
  /** The `Origin` header outside a browser (signaling refuses foreign origins); a browser sends its own. */
  origin?: string;
  /** Reconnect after a dropped connection (default true); the seat is resumed by SignalingConnection. */
  reconnection?: boolean;
  /** First pause before a reconnection attempt (default 500 ms); it doubles after each failure. */
  reconnectionDelayMs?: number;
  /** Longest pause between reconnection attempts (default 5 s). */
  reconnectionDelayMaxMs?: number;
  /** How long one connection attempt may take (default 10 s). */
  connectTimeoutMs?: number;
  /** Connect at once (default false: add listeners first, then call `connect()`). */
  autoConnect?: boolean;
}

/**
 * Opens a Socket.IO connection to signaling as meshcall expects it: WebSocket only (behind
 * several replicas long-polling would need sticky sessions), the access token in `auth`, the room
 * in the query for the gateway's placement, and a fresh Manager per socket, so two sockets of one
 * process are two connections (two participants), never one multiplexed one.
 */
export function openSignalingSocket(options: SignalingSocketOptions): SignalingSocket {
  const { accessToken } = options;
  const settings = {
    path: '/socket.io/',
    transports: ['websocket'],
    query: options.roomId === undefined ? {} : { room: options.roomId },
    forceNew: true,
    autoConnect: options.autoConnect ?? false,
    reconnection: options.reconnection ?? true,
    reconnectionDelay: options.reconnectionDelayMs ?? 500,
    reconnectionDelayMax: options.reconnectionDelayMaxMs ?? 5_000,
    timeout: options.connectTimeoutMs ?? 10_000,
    // Browsers refuse to set Origin themselves and ignore this; Node sends it.
    ...(options.origin === undefined ? {} : { extraHeaders: { origin: options.origin } }),
    auth:
      typeof accessToken === 'string'
        ? { token: accessToken }
        : (callback: (data: object) => void) => {
            accessToken().then(
              (token) => callback({ token }),
              () => callback({}),
            );
          },
  };
  return options.url === undefined ? io(settings) : io(options.url, settings);
}
