import { io, type Socket } from 'socket.io-client';
import type { Ack, AckCallback, ClientToServerEvents, ServerToClientEvents } from '@meshcall/shared';
import { ApiError, ClientErrorCode, apiErrorFromAck } from '../api/api-error.js';

export type SignalingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the acknowledgement of a client event carries on success. */
export type AckData<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends AckCallback<infer T> ? T : never;
export type EventPayload<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];

const DEFAULT_ACK_TIMEOUT_MS = 10_000;

/**
 * A Socket.IO connection to signaling on this origin. WebSocket only: behind several replicas
 * long-polling would need sticky sessions. The token is read anew for every (re)connection, so a
 * reconnect after an hour presents a valid one. The room goes in the handshake's query so the
 * gateway places every socket of a room on the same replica (reconnections included), where
 * signals between them are relayed in process.
 */
export function createSignalingSocket(token: () => Promise<string>, roomId: string): SignalingSocket {
  return io({
    path: '/socket.io/',
    transports: ['websocket'],
    query: { room: roomId },
    autoConnect: false,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
    timeout: 10_000,
    auth: (callback) => {
      token().then(
        (value) => callback({ token: value }),
        // Without a token the server refuses the handshake, which surfaces as connect_error.
        () => callback({}),
      );
    },
  });
}

/**
 * Emits a client event and waits for its acknowledgement, returning the data or throwing an
 * ApiError with the server's code (or TIMEOUT when no answer came).
 */
export async function emitRequest<E extends keyof ClientToServerEvents>(
  socket: SignalingSocket,
  event: E,
  payload: EventPayload<E>,
  timeoutMs = DEFAULT_ACK_TIMEOUT_MS,
): Promise<AckData<E>> {
  let response: unknown;
  try {
    // emitWithAck's inference cannot follow a generic event name; the signature of this function
    // already pins payload and result to the event, so the socket is addressed untyped here.
    const timed = socket.timeout(timeoutMs) as unknown as { emitWithAck(event: string, payload: unknown): Promise<unknown> };
    response = await timed.emitWithAck(event, payload);
  } catch {
    throw new ApiError(ClientErrorCode.TIMEOUT, 'The server did not answer in time.');
  }
  return unwrapAck(response) as AckData<E>;
}

/** Reads an acknowledgement, which is outside input: anything not shaped like an Ack is refused. */
export function unwrapAck(response: unknown): unknown {
  if (typeof response !== 'object' || response === null || !('ok' in response)) {
    throw new ApiError(ClientErrorCode.BAD_RESPONSE, 'The server answered unexpectedly.');
  }
  const ack = response as Ack<unknown>;
  if (ack.ok === true) return ack.data;
  if (ack.ok === false && typeof ack.error === 'object' && ack.error !== null) throw apiErrorFromAck(ack.error);
  throw new ApiError(ClientErrorCode.BAD_RESPONSE, 'The server answered unexpectedly.');
}

/** The catalogue code a refused handshake carries, if the server sent one in `err.data`. */
export function handshakeErrorCode(error: { message?: string; data?: unknown }): string | null {
  const data = error.data;
  if (typeof data === 'object' && data !== null && 'code' in data && typeof (data as { code: unknown }).code === 'string') {
    return (data as { code: string }).code;
  }
  return /^[A-Z_]+$/.test(error.message ?? '') ? (error.message as string) : null;
}
