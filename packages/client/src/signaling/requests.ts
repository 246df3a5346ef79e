import { clientEventAckSchemas, type Ack, type ClientEventAckData, type ClientToServerEvents, type UnacknowledgedEvent } from '@meshcall/shared';
import type { z } from 'zod';
import { ClientErrorCode, MeshcallError, errorFromAck } from '../errors.js';
import type { SignalingSocket } from './socket.js';

/** A client event's payload as ClientToServerEvents types it. */
export type ClientEventInput<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];

/** How long a request waits for its acknowledgement by default. */
export const DEFAULT_ACK_TIMEOUT_MS = 10_000;

/**
 * Emits a client event and waits for its acknowledgement: resolves with the data of
 * `{ ok: true, data }` once its shared schema (clientEventAckSchemas) accepts it, throws a
 * MeshcallError with the server's code for `{ ok: false, error }`, TIMEOUT when no answer came in
 * time, BAD_RESPONSE when the answer is off the contract.
 */
export async function request<E extends keyof ClientToServerEvents>(
  socket: SignalingSocket,
  event: E,
  payload: ClientEventInput<E>,
  timeoutMs = DEFAULT_ACK_TIMEOUT_MS,
): Promise<ClientEventAckData<E>> {
  const data = unwrapAck(await rawRequest(socket, event, [payload], timeoutMs));
  const parsed = (clientEventAckSchemas[event] as unknown as z.ZodType<ClientEventAckData<E>>).safeParse(data);
  if (!parsed.success) throw new MeshcallError(ClientErrorCode.BAD_RESPONSE, 'The server answered unexpectedly.');
  return parsed.data;
}

/**
 * Emits `signal`, `media:state` or `room:leave` without an acknowledgement callback: the server
 * answers nothing, not even a refusal, and writes one frame less. For what a later message
 * supersedes anyway; `request` is the way to learn the outcome.
 */
export function sendUnacknowledged<E extends UnacknowledgedEvent>(socket: SignalingSocket, event: E, payload: ClientEventInput<E>): void {
  // emit's inference cannot follow a generic event name; E pins the payload to the event.
  (socket as unknown as { emit(event: string, payload: unknown): void }).emit(event, payload);
}

/**
 * Emits any event with any arguments and returns the acknowledgement unread: for tests of the
 * server's refusals (unknown events, malformed payloads), never for normal use.
 */
export async function rawRequest(socket: SignalingSocket, event: string, args: unknown[], timeoutMs = DEFAULT_ACK_TIMEOUT_MS): Promise<unknown> {
  // emitWithAck's inference cannot follow a generic event name; the callers pin payload and
  // result to the event, so the socket is addressed untyped here.
  const timed = socket.timeout(timeoutMs) as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
  try {
    return await timed.emitWithAck(event, ...args);
  } catch {
    throw new MeshcallError(ClientErrorCode.TIMEOUT, 'The server did not answer in time.');
  }
}

/** Reads an acknowledgement, which is outside input: anything not shaped like an Ack is refused. */
export function unwrapAck(response: unknown): unknown {
  if (typeof response !== 'object' || response === null || !('ok' in response)) {
    throw new MeshcallError(ClientErrorCode.BAD_RESPONSE, 'The server answered unexpectedly.');
  }
  const ack = response as Ack<unknown>;
  if (ack.ok === true) return ack.data;
  if (ack.ok === false && typeof ack.error === 'object' && ack.error !== null) throw errorFromAck(ack.error);
  throw new MeshcallError(ClientErrorCode.BAD_RESPONSE, 'The server answered unexpectedly.');
}
