import { errorBodySchema, errorCodeSchema, type ErrorCode, type Issue } from '@meshcall/shared';

/**
 * Failures the client detects itself, next to the server's catalogue (ErrorCode in
 * packages/shared). The server never sends these, so they cannot collide with its codes.
 */
export const ClientErrorCode = {
  /** The request never got an answer: offline, DNS, gateway down. */
  NETWORK: 'NETWORK',
  /** A socket acknowledgement (or the connection itself) did not arrive in time. */
  TIMEOUT: 'TIMEOUT',
  /** The server answered with something that does not match the contract. */
  BAD_RESPONSE: 'BAD_RESPONSE',
} as const;
/** One of ClientErrorCode's values. */
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** Every code a MeshcallError may carry: the server's catalogue plus the client's own. */
export type MeshcallErrorCode = ErrorCode | ClientErrorCode;

/**
 * Every failure of this client, HTTP or socket: the server's reason code (or the client's own),
 * its message, the HTTP status where there was one, and per-field details of a refused body.
 * Branch on `code`, never on `message`.
 */
export class MeshcallError extends Error {
  /** The reason code: a stable value from ErrorCode or ClientErrorCode. */
  readonly code: MeshcallErrorCode;
  /** HTTP status, or 0 when there was no HTTP response (network, socket acknowledgement). */
  readonly status: number;
  /** What was wrong with each field of a refused request body (INVALID_PAYLOAD, WEAK_PASSWORD). */
  readonly details: readonly Issue[];

  /**
   * @param code - the reason code
   * @param message - a sentence safe to show; the server's own when it sent one
   * @param status - the HTTP status, 0 for socket and network failures
   * @param details - per-field problems of a refused body
   */
  constructor(code: MeshcallErrorCode, message: string, status = 0, details: readonly Issue[] = []) {
    super(message);
    this.name = 'MeshcallError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** Whether `error` is a MeshcallError, and (given `code`) one with that code. */
export function isMeshcallError(error: unknown, code?: MeshcallErrorCode): error is MeshcallError {
  return error instanceof MeshcallError && (code === undefined || error.code === code);
}

/** Status codes a gateway answers with on its own, often with an HTML body. */
const gatewayCodeOf: Readonly<Record<number, ErrorCode>> = {
  502: 'BAD_GATEWAY',
  503: 'UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/**
 * Turns a non-2xx HTTP answer into a MeshcallError. The body is outside input: it is used only
 * when it matches the shared error schema, otherwise the status decides.
 */
export function errorFromResponse(status: number, body: unknown): MeshcallError {
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new MeshcallError(code, message, status, details ?? []);
  }
  const gatewayCode = gatewayCodeOf[status];
  if (gatewayCode) return new MeshcallError(gatewayCode, 'The service is not reachable right now.', status);
  if (status === 401) return new MeshcallError('UNAUTHORIZED', 'Sign in to continue.', status);
  if (status === 404) return new MeshcallError('NOT_FOUND', 'Not found.', status);
  if (status === 429) return new MeshcallError('RATE_LIMITED', 'Too many requests; slow down.', status);
  return new MeshcallError(status >= 500 ? 'INTERNAL' : ClientErrorCode.BAD_RESPONSE, 'Unexpected answer from the server.', status);
}

/** Turns the error half of a socket acknowledgement into a MeshcallError, refusing codes outside the catalogue. */
export function errorFromAck(error: { code: unknown; message: unknown }): MeshcallError {
  const code = errorCodeSchema.safeParse(error.code);
  const message = typeof error.message === 'string' ? error.message : 'The server refused the request.';
  return code.success ? new MeshcallError(code.data, message) : new MeshcallError(ClientErrorCode.BAD_RESPONSE, message);
}

/**
 * The catalogue code of a refused Socket.IO handshake: signaling puts it in `err.data.code`
 * (UNAUTHORIZED, FORBIDDEN for a foreign Origin, UNAVAILABLE); undefined when the handshake
 * failed for want of a connection rather than being refused.
 */
export function handshakeRefusalCode(error: { message?: string; data?: unknown }): ErrorCode | undefined {
  const data = error.data;
  const candidate = typeof data === 'object' && data !== null && 'code' in data ? (data as { code: unknown }).code : error.message;
  const code = errorCodeSchema.safeParse(candidate);
  return code.success ? code.data : undefined;
}

/** A refused or failed handshake as a MeshcallError: the server's code, or NETWORK when nothing answered. */
export function errorFromHandshake(error: { message?: string; data?: unknown }): MeshcallError {
  const code = handshakeRefusalCode(error);
  if (code) return new MeshcallError(code, typeof error.message === 'string' && error.message !== code ? error.message : 'The signaling server refused the connection.');
  return new MeshcallError(ClientErrorCode.NETWORK, 'Cannot reach the signaling server.');
}
