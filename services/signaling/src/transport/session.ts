import type { FastifyBaseLogger } from 'fastify';
import type { RedisClient } from '@meshcall/server-kit';
import { AppError, ErrorCode, redisChannels, sessionsRevokedMessageSchema, type PlatformTokenClaims } from '@meshcall/shared';
import type { JwtVerifier } from '@meshcall/server-kit';
import type { Notifier } from '../notifier.js';
import { channelSubscription, type ChannelSubscription } from '../redis/channel-subscription.js';
import type { SignalingServer, SignalingSocket } from '../types.js';
import type { ClientEventDeps, ClientEventRouter } from './client-event.js';

/** How long before expiry a socket is asked for a fresh token. */
const EXPIRY_WARNING_MS = 60_000;
/** setTimeout's ceiling; tokens live minutes, but a misconfigured TTL must not overflow the timer. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
 * same user. A socket has one timer at a time (the warning, then the expiry), since every idle
 * connection carries it.
 */
export function registerSessionHandlers(deps: SessionDeps, events: ClientEventRouter): SessionWatch {
  const timers = new WeakMap<SignalingSocket, NodeJS.Timeout>();
  const untilExpiry = (expiresAtMs: number) => Math.min(Math.max(0, expiresAtMs - deps.now()), MAX_TIMER_MS);

  const schedule = (socket: SignalingSocket) => {
    clearTimeout(timers.get(socket));
    const expiresAtMs = socket.data.tokenExpiresAt * 1000;
    const warning = setTimeout(() => {
      deps.notifier.toSocket(socket, 'session:expiring', { expiresAt: new Date(expiresAtMs).toISOString() });
      const expiry = setTimeout(() => {
        deps.logger.info({ socketId: socket.id, userId: socket.data.userId }, 'access token expired; disconnecting');
        socket.disconnect(true);
      }, untilExpiry(expiresAtMs));
      timers.set(socket, expiry);
    }, Math.max(0, untilExpiry(expiresAtMs) - EXPIRY_WARNING_MS));
    timers.set(socket, warning);
  };

  events.onDisconnect((socket) => {
    clearTimeout(timers.get(socket));
    timers.delete(socket);
  });

  events.on('session:refresh', async (socket, { token }) => {
    const claims = await deps.accessTokens.verify(token);
    if (claims.sub !== socket.data.userId) throw new AppError(ErrorCode.FORBIDDEN, 'The token belongs to another user.');
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
