import { io, type Socket } from 'socket.io-client';
import {
  ClientEvent,
  type Ack,
  type ClientToServerEvents,
  type JoinResult,
  type ServerToClientEvents,
  type SignalPayload,
} from '@meshcall/shared';

export type SignalingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A Socket.IO connection through the gateway as the web app opens it (WebSocket only, the access
 * token in the handshake, the page's Origin), without reconnection so a failure shows at once.
 */
export function connectSignaling(origin: string, accessToken: string, timeoutMs: number): Promise<SignalingSocket> {
  const socket: SignalingSocket = io(origin, {
    transports: ['websocket'],
    auth: { token: accessToken },
    extraHeaders: { origin },
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.close();
      reject(new Error(`signaling handshake failed: ${error.message} ${JSON.stringify(error.data ?? '')}`));
    });
  });
}

function unwrap<T>(event: string, ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${event} was refused: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

export async function joinWithTicket(socket: SignalingSocket, ticket: string, timeoutMs: number): Promise<JoinResult> {
  return unwrap(ClientEvent.Join, await socket.timeout(timeoutMs).emitWithAck(ClientEvent.Join, { ticket }));
}

export async function sendSignal(socket: SignalingSocket, payload: SignalPayload, timeoutMs: number): Promise<void> {
  unwrap(ClientEvent.Signal, await socket.timeout(timeoutMs).emitWithAck(ClientEvent.Signal, payload));
}

/** The next `event` the server sends this socket, or an error after `timeoutMs`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: SignalingSocket,
  event: E,
  timeoutMs: number,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: Parameters<ServerToClientEvents[E]>[0]) => {
      clearTimeout(timer);
      resolve(payload);
    };
    socket.once(event, listener as never);
  });
}
