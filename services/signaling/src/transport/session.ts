import type { FastifyBaseLogger } from 'fastify';
import type { RedisClient } from '@meshcall/server-kit';
import { AppError, ErrorCode, redisChannels, sessionsRevokedMessageSchema, type PlatformTokenClaims } from '@meshcall/shared';
import type { JwtVerifier } from '@meshcall/server-kit';
import type { Notifier } from '../notifier.js';
import { channelSubscription, type ChannelSubscription } from '../redis/channel-subscription.js';
import { DeadlineBuckets } from './deadline-buckets.js';
import type { SignalingServer, SignalingSocket } from '../types.js';
import type { ClientEventDeps, ClientEventRouter } from './client-event.js';

/** How long before expiry a socket is asked for a fresh token. */
const EXPIRY_WARNING_MS = 60_000;

export interface SessionDeps extends ClientEventDeps {
  accessTokens: JwtVerifier<PlatformTokenClaims>;
  notifier: Notifier;
  now(): number;
}

/** Starts following a new socket's token deadlines. */
export interface SessionWatch {
  watch(socket: SignalingSocket): void;
}

/**
 * Keeps each socket's session tied to its token: `session:expiring` a minute before expiry, a
 * disconnect at expiry, and `session:refresh` to move both deadlines with a new token of the
 * same user. Every idle connection carries these deadlines, so they are kept in per-second
 * buckets rather than in a timer per socket; a socket is in one bucket at a time (the warning's,
 * then the expiry's), both found again from its token's expiry.
 */
export function registerSessionHandlers(deps: SessionDeps, events: ClientEventRouter): SessionWatch {
  const expiresAtMs = (socket: SignalingSocket) => socket.data.tokenExpiresAt * 1000;
  const expiries = new DeadlineBuckets<SignalingSocket>((socket) => {
    deps.logger.info({ socketId: socket.id, userId: socket.data.userId }, 'access token expired; disconnecting');
    socket.disconnect(true);
  }, deps.now);
  const warnings = new DeadlineBuckets<SignalingSocket>((socket) => {
    deps.notifier.toSocket(socket, 'session:expiring', { expiresAt: new Date(expiresAtMs(socket)).toISOString() });
    expiries.add(socket, expiresAtMs(socket));
  }, deps.now);

  const schedule = (socket: SignalingSocket) => warnings.add(socket, expiresAtMs(socket) - EXPIRY_WARNING_MS);
  const unschedule = (socket: SignalingSocket) => {
    warnings.remove(socket, expiresAtMs(socket) - EXPIRY_WARNING_MS);
    expiries.remove(socket, expiresAtMs(socket));
  };

  events.onDisconnect(unschedule);

  events.on('session:refresh', async (socket, { token }) => {
    const claims = await deps.accessTokens.verify(token);
    if (claims.sub !== socket.data.userId) throw new AppError(ErrorCode.FORBIDDEN, 'The token belongs to another user.');
    unschedule(socket);
    socket.data.tokenExpiresAt = claims.exp;
    socket.data.sessionId = claims.sid;
    socket.data.name = claims.name;
    schedule(socket);
    return { expiresAt: new Date(claims.exp * 1000).toISOString() };
  });

  return { watch: schedule };
}

/**
 * Drops the live sockets of sessions that were signed out (auth publishes them), on every replica
 * for the sockets it holds, so a signed-out browser leaves its call at once instead of when its
 * access token would have expired. Sign-outs are rare, so a scan of this replica's sockets per
 * message is cheap; a message missed while Redis was away still leaves the socket only until its
 * token expires, and any reconnection is refused at the handshake.
 */
export function followSignedOutSessions(deps: { io: SignalingServer; subscriber: RedisClient; logger: FastifyBaseLogger }): ChannelSubscription {
  return channelSubscription({
    subscriber: deps.subscriber,
    channel: redisChannels.sessionsRevoked,
    schema: sessionsRevokedMessageSchema,
    logger: deps.logger,
    malformed: 'sessions-revoked message',
    onMessage(message) {
      const revoked = new Set(message.sessionIds);
      for (const socket of deps.io.of('/').sockets.values()) {
        if (socket.data.sessionId === undefined || !revoked.has(socket.data.sessionId)) continue;
        deps.logger.info({ socketId: socket.id, userId: socket.data.userId }, 'session signed out; disconnecting');
        socket.disconnect(true);
      }
    },
  });
}
