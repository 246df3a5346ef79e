import type { ErrorCode } from './errors.js';

/** The error half of every socket acknowledgement. */
export interface AckError {
  code: ErrorCode;
  message: string;
}

/** Every client→server socket event is acknowledged with exactly one of these. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };

/** The callback a client passes as the last argument of an event. */
export type AckCallback<T> = (response: Ack<T>) => void;

export function ackOk<T>(data: T): Ack<T> {
  return { ok: true, data };
}

export function ackError(code: ErrorCode, message: string): Ack<never> {
  return { ok: false, error: { code, message } };
}
