import type { FastifyBaseLogger } from 'fastify';
import { ErrorCode, defaultMessageOf, type PlatformTokenClaims } from '@meshcall/shared';
import type { JwtVerifier } from '@meshcall/server-kit';
import type { SignalingMetrics } from '../metrics.js';
import type { SignalingSocket } from '../types.js';
import { toAckError } from './ack-errors.js';

/** A refused handshake: Socket.IO hands `data` to the client's `connect_error`. */
function handshakeRefusal(code: ErrorCode, message: string): Error & { data: { code: ErrorCode; message: string } } {
  return Object.assign(new Error(message), { data: { code, message } });
}

/**
 * Socket.IO keeps each socket's handshake, `auth` and the access token in it included, for the
 * socket's life. Once the token is verified nothing reads it again (socket.data holds what its
 * claims said), so it is let go: a heap dump then hands out no live token, and an idle
 * connection carries less (the upgrade request and its headers go in upgrade-request.ts).
 */
function forgetHandshakeToken(socket: SignalingSocket): void {
  socket.handshake.auth = {};
}

/**
 * Handshake middleware: the access token from `auth: { token }` is verified against auth's key
 * set (algorithm, issuer and audience pinned by the verifier) and against the revocation set of
 * signed-out sessions; without a valid one the socket never connects. A guest token connects too:
 * all a socket can do before joining is join, and joining needs a ticket from rooms, which gives a
 * guest one only for its own room.
 */
export function authenticateHandshake(deps: {
  accessTokens: JwtVerifier<PlatformTokenClaims>;
  metrics: Pick<SignalingMetrics, 'reject'>;
  logger: FastifyBaseLogger;
}) {
  return async (socket: SignalingSocket, next: (error?: Error) => void): Promise<void> => {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const token = auth?.token;
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      deps.metrics.reject(ErrorCode.UNAUTHORIZED);
      next(handshakeRefusal(ErrorCode.UNAUTHORIZED, 'An access token is required (auth: { token }).'));
      return;
    }
    try {
      const claims = await deps.accessTokens.verify(token);
      socket.data.userId = claims.sub;
      socket.data.name = claims.name;
      socket.data.tokenExpiresAt = claims.exp;
      socket.data.sessionId = claims.sid;
      // A guest token opens one room; the join checks the ticket against it.
      if (claims.typ === 'guest') socket.data.guestOf = claims.room;
      forgetHandshakeToken(socket);
      next();
    } catch (error) {
      const { code, message, internal } = toAckError(error);
      if (internal) deps.logger.error({ err: error }, 'handshake verification failed');
      deps.metrics.reject(code);
      next(handshakeRefusal(code, code === ErrorCode.UNAUTHORIZED ? message || defaultMessageOf.UNAUTHORIZED : message));
    }
  };
}
