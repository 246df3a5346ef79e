import { AppError, ErrorCode, defaultMessageOf, sessionRefreshPayloadSchema } from '@meshcall/shared';
import { toAckError } from '../ack-errors.js';
import type { SignalingContext } from '../context.js';
import type { SignalingSocket } from '../types.js';
import { onClientEvent } from './client-event.js';

/** How long before expiry a socket is asked for a fresh token. */
export const EXPIRY_WARNING_MS = 60_000;
/** setTimeout's ceiling; tokens live minutes, but a misconfigured TTL must not overflow the timer. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A refused handshake: Socket.IO hands `data` to the client's `connect_error`. */
function handshakeRefusal(code: ErrorCode, message: string): Error & { data: { code: ErrorCode; message: string } } {
  return Object.assign(new Error(message), { data: { code, message } });
}

/**
 * Handshake middleware: the access token from `auth: { token }` is verified against auth's key
 * set (algorithm, issuer and audience pinned by the verifier); without a valid one the socket
 * never connects.
 */
export function authenticateHandshake(ctx: SignalingContext) {
  return async (socket: SignalingSocket, next: (error?: Error) => void): Promise<void> => {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const token = auth?.token;
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      ctx.metrics.reject(ErrorCode.UNAUTHORIZED);
      next(handshakeRefusal(ErrorCode.UNAUTHORIZED, 'An access token is required (auth: { token }).'));
      return;
    }
    try {
      const claims = await ctx.accessTokens.verify(token);
      socket.data.userId = claims.sub;
      socket.data.name = claims.name;
      socket.data.tokenExpiresAt = claims.exp;
      next();
    } catch (error) {
      const { code, message, internal } = toAckError(error);
      if (internal) ctx.logger.error({ err: error }, 'handshake verification failed');
      ctx.metrics.reject(code);
      next(handshakeRefusal(code, code === ErrorCode.UNAUTHORIZED ? message || defaultMessageOf.UNAUTHORIZED : message));
    }
  };
}

/**
 * Keeps the socket's session tied to its token: `session:expiring` a minute before expiry, a
 * disconnect at expiry, and `session:refresh` to move both deadlines with a new token of the
 * same user.
 */
export function registerSessionHandlers(ctx: SignalingContext, socket: SignalingSocket): void {
  let warning: NodeJS.Timeout | undefined;
  let expiry: NodeJS.Timeout | undefined;

  const schedule = () => {
    clearTimeout(warning);
    clearTimeout(expiry);
    const expiresAtMs = socket.data.tokenExpiresAt * 1000;
    const expiresAt = new Date(expiresAtMs).toISOString();
    const untilExpiry = Math.min(Math.max(0, expiresAtMs - ctx.now()), MAX_TIMER_MS);
    warning = setTimeout(() => socket.emit('session:expiring', { expiresAt }), Math.max(0, untilExpiry - EXPIRY_WARNING_MS));
    expiry = setTimeout(() => {
      ctx.logger.info({ socketId: socket.id, userId: socket.data.userId }, 'access token expired; disconnecting');
      socket.disconnect(true);
    }, untilExpiry);
  };

  schedule();
  socket.on('disconnect', () => {
    clearTimeout(warning);
    clearTimeout(expiry);
  });

  onClientEvent(ctx, socket, 'session:refresh', sessionRefreshPayloadSchema, async ({ token }) => {
    const claims = await ctx.accessTokens.verify(token);
    if (claims.sub !== socket.data.userId) throw new AppError(ErrorCode.FORBIDDEN, 'The token belongs to another user.');
    socket.data.tokenExpiresAt = claims.exp;
    socket.data.name = claims.name;
    schedule();
    return { expiresAt: new Date(claims.exp * 1000).toISOString() };
  });
}
