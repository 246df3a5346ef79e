import { errorBodySchema, errorCodeSchema, type ErrorCode, type Issue } from '@meshcall/shared';

/**
 * Failures the browser detects itself, next to the server's catalogue: the server never sends
 * these, so they cannot collide with its codes.
 */
export const ClientErrorCode = {
  /** The request never got an answer: offline, DNS, gateway down. */
  NETWORK: 'NETWORK',
  /** A socket acknowledgement did not arrive in time. */
  TIMEOUT: 'TIMEOUT',
  /** The server answered with something that does not match the contract. */
  BAD_RESPONSE: 'BAD_RESPONSE',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** Every code the UI may have to explain. */
export type UiErrorCode = ErrorCode | ClientErrorCode;

/** An HTTP or socket failure reduced to what the UI branches on. */
export class ApiError extends Error {
  readonly code: UiErrorCode;
  /** HTTP status, or 0 when there was no HTTP response (network, socket ack). */
  readonly status: number;
  readonly details: readonly Issue[];

  constructor(code: UiErrorCode, message: string, status = 0, details: readonly Issue[] = []) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** Status codes a gateway answers with on its own, often with an HTML body. */
const gatewayCodeOf: Readonly<Record<number, ErrorCode>> = {
  502: 'BAD_GATEWAY',
  503: 'UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/**
 * Turns a non-2xx response into an ApiError. The body is outside input: it is used only when it
 * matches the shared error schema, otherwise the status decides.
 */
export function apiErrorFromResponse(status: number, body: unknown): ApiError {
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(code, message, status, details ?? []);
  }
  const gatewayCode = gatewayCodeOf[status];
  if (gatewayCode) return new ApiError(gatewayCode, 'The service is not reachable right now.', status);
  if (status === 401) return new ApiError('UNAUTHORIZED', 'Sign in to continue.', status);
  if (status === 404) return new ApiError('NOT_FOUND', 'Not found.', status);
  if (status === 429) return new ApiError('RATE_LIMITED', 'Too many requests; slow down.', status);
  return new ApiError(status >= 500 ? 'INTERNAL' : ClientErrorCode.BAD_RESPONSE, 'Unexpected answer from the server.', status);
}

/** Turns a socket acknowledgement's error half into an ApiError, refusing codes outside the catalogue. */
export function apiErrorFromAck(error: { code: unknown; message: unknown }): ApiError {
  const code = errorCodeSchema.safeParse(error.code);
  const message = typeof error.message === 'string' ? error.message : 'The server refused the request.';
  return code.success ? new ApiError(code.data, message) : new ApiError(ClientErrorCode.BAD_RESPONSE, message);
}

export function isApiError(error: unknown, code?: UiErrorCode): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** Any thrown value as an ApiError, so the UI has exactly one shape to explain. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(ClientErrorCode.BAD_RESPONSE, 'Something unexpected happened.');
}
