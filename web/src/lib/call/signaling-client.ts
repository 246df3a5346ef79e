import {
  DEFAULT_ACK_TIMEOUT_MS,
  handshakeRefusalCode,
  openSignalingSocket,
  request,
  type ClientEventInput,
  type SignalingSocket,
} from '@meshcall/client';
import type { ClientEventAckData, ClientToServerEvents } from '@meshcall/shared';

/**
 * The call engine's view of signaling, over @meshcall/client: the engine manages the socket's
 * life itself (its handshake retries and resume), so it takes the client's typed socket and
 * request functions rather than a SignalingConnection.
 */
export type { SignalingSocket };
export { sendUnacknowledged, unwrapAck } from '@meshcall/client';

/** What the acknowledgement of a client event carries on success. */
export type AckData<E extends keyof ClientToServerEvents> = ClientEventAckData<E>;
export type EventPayload<E extends keyof ClientToServerEvents> = ClientEventInput<E>;

/**
 * A Socket.IO connection to signaling on this origin (`openSignalingSocket`: WebSocket only, the
 * room in the handshake's query so the gateway places a room's sockets on one replica, not yet
 * connected). The token is read anew for every (re)connection, so a reconnect after an hour
 * presents a valid one.
 */
export function createSignalingSocket(token: () => Promise<string>, roomId: string): SignalingSocket {
  return openSignalingSocket({ accessToken: token, roomId });
}

/**
 * Emits a client event and waits for its acknowledgement, returning the data or throwing an
 * ApiError (the client's MeshcallError) with the server's code, or TIMEOUT when no answer came.
 */
export function emitRequest<E extends keyof ClientToServerEvents>(
  socket: SignalingSocket,
  event: E,
  payload: EventPayload<E>,
  timeoutMs = DEFAULT_ACK_TIMEOUT_MS,
): Promise<AckData<E>> {
  return request(socket, event, payload, timeoutMs);
}

/** The catalogue code a refused handshake carries, if the server sent one in `err.data`. */
export function handshakeErrorCode(error: { message?: string; data?: unknown }): string | null {
  return handshakeRefusalCode(error) ?? null;
}
