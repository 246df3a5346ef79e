import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import {
  AppError,
  ErrorCode,
  defaultMessageOf,
  redisChannels,
  sessionsRevokedMessageSchema,
  type SessionsRevokedMessage,
} from '@meshcall/shared';
import { toAckError } from './ack-errors.js';
import type { SignalingContext } from '../context.js';
import { UNSUBSCRIBE_DEADLINE_MS, withDeadline } from '../redis/connections.js';
import type { SignalingServer, SignalingSocket } from '../types.js';
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
 * set (algorithm, issuer and audience pinned by the verifier) and against the revocation set of
 * signed-out sessions; without a valid one the socket never connects.
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
      socket.data.sessionId = claims.sid;
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

  onClientEvent(ctx, socket, 'session:refresh', async ({ token }) => {
    const claims = await ctx.accessTokens.verify(token);
    if (claims.sub !== socket.data.userId) throw new AppError(ErrorCode.FORBIDDEN, 'The token belongs to another user.');
    socket.data.tokenExpiresAt = claims.exp;
    socket.data.sessionId = claims.sid;
    socket.data.name = claims.name;
    schedule();
    return { expiresAt: new Date(claims.exp * 1000).toISOString() };
  });
}

/**
 * Drops the live sockets of sessions that were signed out (auth publishes them), on every replica
 * for the sockets it holds, so a signed-out browser leaves its call at once instead of when its
 * access token would have expired. Sign-outs are rare, so a scan of this replica's sockets per
 * message is cheap; a message missed while Redis was away still leaves the socket only until its
 * token expires, and any reconnection is refused at the handshake.
 */
export class SignedOutSessions {
  private readonly onMessage = (channel: string, raw: string) => {
    if (channel !== redisChannels.sessionsRevoked) return;
    let message: SessionsRevokedMessage;
    try {
      message = sessionsRevokedMessageSchema.parse(JSON.parse(raw));
    } catch {
      this.deps.logger.warn('ignored a malformed sessions-revoked message');
      return;
    }
    const revoked = new Set(message.sessionIds);
    for (const socket of this.deps.io.of('/').sockets.values()) {
      if (socket.data.sessionId === undefined || !revoked.has(socket.data.sessionId)) continue;
      this.deps.logger.info({ socketId: socket.id, userId: socket.data.userId }, 'session signed out; disconnecting');
      socket.disconnect(true);
    }
  };

  constructor(private readonly deps: { io: SignalingServer; subscriber: Redis; logger: FastifyBaseLogger }) {}

  async start(): Promise<void> {
    this.deps.subscriber.on('message', this.onMessage);
    await this.deps.subscriber.subscribe(redisChannels.sessionsRevoked);
  }

  async stop(): Promise<void> {
    this.deps.subscriber.off('message', this.onMessage);
    await withDeadline(this.deps.subscriber.unsubscribe(redisChannels.sessionsRevoked), UNSUBSCRIBE_DEADLINE_MS);
  }
}
