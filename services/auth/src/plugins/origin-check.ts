import type { FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '@meshcall/shared';

/**
 * For routes that read or set the refresh cookie: a browser always sends Origin on a POST, so a
 * foreign one means another site is driving the user's browser. SameSite=Strict already keeps the
 * cookie off such requests; this is the second lock. Requests without Origin come from non-browser
 * clients, which carry no ambient cookie to abuse.
 */
export function originGuard(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return async (request: FastifyRequest): Promise<void> => {
    const origin = request.headers.origin;
    if (origin !== undefined && !allowed.has(origin)) {
      throw new AppError(ErrorCode.FORBIDDEN, 'Requests from this origin are not allowed.');
    }
  };
}
