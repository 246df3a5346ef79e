import type { FastifyServerOptions } from 'fastify';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { MAX_SOCKET_MESSAGE_BYTES, type AccessTokenClaims, type JoinTicketClaims } from '@meshcall/shared';
import { createBaseApp, registerHealthRoutes, registerMetrics, type BaseApp, type JwtVerifier } from '@meshcall/server-kit';
import { Departures } from './seats/departures.js';
import { LeaseKeeper } from './seats/lease-keeper.js';
import { ReplicaInbox } from './relay/replica-inbox.js';
import { RoomEvents } from './room/room-events.js';
import { SeatSweeper } from './seats/seat-sweeper.js';
import type { Config } from './config.js';
import type { SignalingContext } from './context.js';
import { registerChatHandlers } from './room/chat.js';
import { guardEvents } from './transport/event-guard.js';
import { registerGameHandlers } from './room/game.js';
import { registerJoinHandlers } from './seats/join.js';
import { registerLeaveHandlers } from './seats/leave.js';
import { registerMediaHandlers } from './room/media.js';
import { registerModerationHandlers } from './room/moderation.js';
import { SignedOutSessions, authenticateHandshake, registerSessionHandlers } from './transport/session.js';
import { registerSignalHandlers } from './relay/signal-handler.js';
import { LocalSeats } from './seats/local-seats.js';
import { createSignalingMetrics } from './metrics.js';
import { isOriginAllowed } from './transport/origin.js';
import { UNSUBSCRIBE_DEADLINE_MS, withDeadline, type RedisConnections } from './redis/connections.js';
import { ChatHistory } from './room/chat-history.js';
import { GameStore } from './room/game-store.js';
import { RoomFlags } from './room/room-flags.js';
import { SeatStore } from './seats/seat-store.js';
import { SignalRelay } from './relay/signal-relay.js';
import type { SignalingServer } from './types.js';

export interface SignalingDeps {
  redis: RedisConnections;
  /** Access tokens from auth (createAccessTokenVerifier over AUTH_JWKS_URL). */
  accessTokens: JwtVerifier<AccessTokenClaims>;
  /** Join tickets from rooms (createJwtVerifier over ROOMS_JWKS_URL). */
  tickets: JwtVerifier<JoinTicketClaims>;
  /** Fastify logger options; tests pass false. */
  logger?: FastifyServerOptions['logger'];
  now?: () => number;
}

export interface SignalingApplication {
  /** The HTTP side (/healthz, /readyz, /metrics) with Socket.IO attached to its server. */
  app: BaseApp;
  io: SignalingServer;
}

/**
 * Builds one signaling replica: a Fastify app for health and metrics, with Socket.IO on the
 * same HTTP server (the gateway sends `/socket.io/` here unchanged). Everything the replica
 * talks to comes in through `deps`; `app.close()` lets the sockets go (their seats stay for the
 * resume window, so clients continue on another replica) and stops the background work.
 */
export async function createApplication(config: Config, deps: SignalingDeps): Promise<SignalingApplication> {
  const now = deps.now ?? Date.now;
  const app = createBaseApp({ service: 'signaling', logLevel: config.LOG_LEVEL, trustProxy: config.TRUST_PROXY, logger: deps.logger });
  const logger = app.log.child({ replica: config.REPLICA_ID });
  const registry = registerMetrics(app, 'signaling');
  const { commands } = deps.redis;
  registerHealthRoutes(app, 'signaling', {
    redis: async () => commands.status === 'ready' && (await commands.ping()) === 'PONG',
    authJwks: () => deps.accessTokens.isReachable(),
    roomsJwks: () => deps.tickets.isReachable(),
  });

  const localSeats = new LocalSeats();
  const metrics = createSignalingMetrics(registry, { connectedSockets: () => io.of('/').sockets.size, joinedPeers: () => localSeats.size });
  const io: SignalingServer = new Server(app.server, {
    // Behind several replicas, long-polling would need sticky sessions; WebSocket does not.
    transports: ['websocket'],
    maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
    serveClient: false,
    // A vanished client is noticed within 15 s, then its seat waits RESUME_GRACE_MS for a resume.
    pingInterval: 10_000,
    pingTimeout: 5_000,
    allowRequest: (request, callback) => {
      const allowed = isOriginAllowed(request.headers.origin, config.ALLOWED_ORIGINS);
      if (!allowed) {
        metrics.reject('FORBIDDEN');
        logger.info({ origin: request.headers.origin }, 'refused a handshake from a foreign origin');
      }
      callback(allowed ? null : 'origin not allowed', allowed);
    },
    adapter: createAdapter(deps.redis.publisher, deps.redis.adapterSubscriber, { key: 'meshcall:socket.io' }),
  });

  // Engine.IO keeps each session's first HTTP request (headers, parser state: about 4 KiB) for
  // the socket's life. The origin and the token are checked before this point, and nothing later
  // reads the request, so it is let go (the Socket.IO memory-usage guide's advice).
  io.engine.on('connection', (rawSocket: { request: unknown }) => {
    rawSocket.request = null;
  });

  const seats = new SeatStore(commands);
  const games = new GameStore(commands);
  const departures = new Departures({ io, seats, games, logger, now });
  const inbox = new ReplicaInbox({ subscriber: deps.redis.subscriber, commands, replicaId: config.REPLICA_ID, localSeats, metrics, logger, now });
  const pending = new Set<Promise<unknown>>();
  const ctx: SignalingContext = {
    io,
    config,
    logger,
    metrics,
    accessTokens: deps.accessTokens,
    tickets: deps.tickets,
    seats,
    signals: new SignalRelay(commands, { mailboxLimit: config.SIGNAL_MAILBOX_LIMIT, replicaId: config.REPLICA_ID, now }),
    chat: new ChatHistory(commands),
    games,
    flags: new RoomFlags(commands),
    localSeats,
    inbox,
    departures,
    routeOf: (socketId) => `${config.REPLICA_ID}|${socketId}`,
    track(work) {
      pending.add(work);
      void work.finally(() => pending.delete(work));
    },
    now,
  };

  io.use(authenticateHandshake(ctx));
  io.on('connection', (socket) => {
    guardEvents(ctx, socket);
    registerSessionHandlers(ctx, socket);
    registerJoinHandlers(ctx, socket);
    registerLeaveHandlers(ctx, socket);
    registerSignalHandlers(ctx, socket);
    registerMediaHandlers(ctx, socket);
    registerChatHandlers(ctx, socket);
    registerGameHandlers(ctx, socket);
    registerModerationHandlers(ctx, socket);
  });

  const roomEvents = new RoomEvents({ io, subscriber: deps.redis.subscriber, seats, localSeats, departures, logger, now });
  const signedOutSessions = new SignedOutSessions({ io, subscriber: deps.redis.subscriber, logger });
  const leaseKeeper = new LeaseKeeper({ io, redis: commands, seats, localSeats, departures, logger, now });
  const sweeper = new SeatSweeper({ redis: commands, replicaId: config.REPLICA_ID, seats, departures, logger, now });
  await inbox.start();
  await roomEvents.start();
  await signedOutSessions.start();
  leaseKeeper.start();
  sweeper.start();

  app.addHook('preClose', async () => {
    await Promise.all([leaseKeeper.stop(), sweeper.stop()]);
    // Each dropped socket's seat is marked away, so its client resumes on another replica.
    io.local.disconnectSockets(true);
    await Promise.allSettled([...pending]);
    io.engine.close();
  });
  app.addHook('onClose', async () => {
    await Promise.all([inbox.stop(), roomEvents.stop(), signedOutSessions.stop(), withDeadline(Promise.resolve(io.of('/').adapter.close()), UNSUBSCRIBE_DEADLINE_MS)]);
  });

  return { app, io };
}
