import { AppError, ErrorCode, defaultMessageOf, type AckError } from '@meshcall/shared';
import { isDependencyUnavailable } from '@meshcall/server-kit';

/** ioredis failures that mean "Redis is not answering right now" rather than a bug. */
function isRedisUnavailable(error: unknown): boolean {
  if (isDependencyUnavailable(error)) return true;
  return error instanceof Error && /Command timed out|ECONNREFUSED|ECONNRESET|LOADING|Reached the max retries/.test(error.message);
}

/**
 * What a client may see of a failure: AppErrors as they are, Redis or key-set outages as
 * UNAVAILABLE, anything else as a generic INTERNAL (the caller logs the real cause).
 */
export function toAckError(error: unknown): AckError & { internal: boolean } {
  if (error instanceof AppError) return { code: error.code, message: error.message, internal: false };
  if (isRedisUnavailable(error)) return { code: ErrorCode.UNAVAILABLE, message: defaultMessageOf.UNAVAILABLE, internal: false };
  return { code: ErrorCode.INTERNAL, message: defaultMessageOf.INTERNAL, internal: true };
}
