import type { FastifyServerOptions } from 'fastify';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { ClientEvent, ErrorCode, MAX_SOCKET_MESSAGE_BYTES, TokenAudience, TokenIssuer, joinTicketClaimsSchema, type JoinTicketClaims, type PlatformTokenClaims } from '@meshcall/shared';
import { createBaseApp, createJwtVerifier, createPlatformTokenVerifier, registerHealthRoutes, registerMetrics, type BaseApp, type JwtVerifier } from '@meshcall/server-kit';
import type { Config } from './config.js';
import { createSignalingMetrics } from './metrics.js';
import { Notifier } from './notifier.js';
import { UNSUBSCRIBE_DEADLINE_MS, withDeadline, type RedisConnections } from './redis/connections.js';
import { ReplicaInbox } from './relay/replica-inbox.js';
import { registerSignalHandlers, type SignalDeps } from './relay/signal-handler.js';
import { SignalRelay } from './relay/signal-relay.js';
import { ChatHistory } from './room/chat-history.js';
import { registerChatHandlers, type ChatDeps } from './room/chat.js';
import { GamePlayers } from './room/game-players.js';
import { GameStore } from './room/game-store.js';
import { registerGameHandlers, type GameDeps } from './room/game.js';
import { registerMediaHandlers, type MediaDeps } from './room/media.js';
import { registerModerationHandlers, type ModerationDeps } from './room/moderation.js';
import { KnockStore } from './room/knock-store.js';
import { registerKnockHandlers, type KnockDeps } from './room/knocks.js';
import { RoomEvents } from './room/room-events.js';
import { RoomFlags } from './room/room-flags.js';
import { DepartureLog } from './seats/departure-log.js';
import { Departures } from './seats/departures.js';
import { registerJoinHandlers, type JoinDeps } from './seats/join.js';
import { RoomCatchUp } from './seats/room-catch-up.js';
import { LeaseKeeper } from './seats/lease-keeper.js';
import { registerLeaveHandlers, type LeaveDeps } from './seats/leave.js';
import { LocalSeats } from './seats/local-seats.js';
import { SeatStore } from './seats/seat-store.js';
import { SeatSweeper } from './seats/seat-sweeper.js';
import { ClientEventRouter } from './transport/client-event.js';
import { guardEvents } from './transport/event-guard.js';
import { authenticateHandshake } from './transport/handshake.js';
import { refuseForeignOrigins } from './transport/origin.js';
import { guardForeignUpgrades, releaseUpgradeRequests } from './transport/upgrade-request.js';
import { followSignedOutSessions, registerSessionHandlers, type SessionDeps } from './transport/session.js';
import type { SignalingServer } from './types.js';

export interface SignalingDeps {
  redis: RedisConnections;
  /** Access tokens and guest tokens from auth (createPlatformTokenVerifier over AUTH_JWKS_URL). */
  accessTokens: JwtVerifier<PlatformTokenClaims>;
  /** Join tickets from rooms (createJwtVerifier over ROOMS_JWKS_URL). */
  tickets: JwtVerifier<JoinTicketClaims>;
  /** Fastify logger options; tests pass false. */
  logger?: FastifyServerOptions['logger'];
  now?: () => number;
}

/**
 * The verifiers of a replica's config: access and guest tokens against auth's JWKS (the
 * revocation list read through `redis`), join tickets against rooms'. One place, so that the tests'
 * in-process replicas check tokens exactly as server.ts does.
 */
export function tokenVerifiers(config: Config, redis: RedisConnections): Pick<SignalingDeps, 'accessTokens' | 'tickets'> {
  return {
    accessTokens: createPlatformTokenVerifier(config.AUTH_JWKS_URL, redis.commands),
    tickets: createJwtVerifier({
      keys: config.ROOMS_JWKS_URL,
      issuer: TokenIssuer.rooms,
      audience: TokenAudience.signaling,
      claims: joinTicketClaimsSchema,
      invalidCode: ErrorCode.TICKET_INVALID,
    }),
  };
}

export interface SignalingApplication {
  /** The HTTP side (/healthz, /readyz, /metrics) with Socket.IO attached to its server. */
  app: BaseApp;
  io: SignalingServer;
}

/**
 * Broadcasts between replicas go through Redis pub/sub. On a Redis Cluster they use sharded
 * pub/sub (SPUBLISH), a channel per room spread over the shards, so no message crosses every
 * node of the cluster as classic PUBLISH would.
 */
function socketAdapter(redis: RedisConnections) {
  return redis.cluster
    ? createShardedAdapter(redis.publisher, redis.adapterSubscriber, { channelPrefix: 'meshcall:socket.io', subscriptionMode: 'dynamic' })
    : createAdapter(redis.publisher, redis.adapterSubscriber, { key: 'meshcall:socket.io' });
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
    allowRequest: refuseForeignOrigins(config.ALLOWED_ORIGINS, { metrics, logger }),
    adapter: socketAdapter(deps.redis),
  });

  releaseUpgradeRequests(io);
  guardForeignUpgrades(app.server, io.path());

  const { subscriber } = deps.redis;
  const replicaId = config.REPLICA_ID;
  const notifier = new Notifier(io);
  const seats = new SeatStore(commands);
  const games = new GameStore(commands);
  const players = new GamePlayers({ games, seats, notifier, now });
  const departureLog = new DepartureLog(commands);
  const departures = new Departures({ notifier, players, log: departureLog, logger });
  const inbox = new ReplicaInbox({ subscriber, commands, replicaId, localSeats, notifier, metrics, logger, now });
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  // Each behaviour gets what it uses, built once per replica rather than per socket.
  const reporting = { logger, metrics };
  const seatHolding = { seats, localSeats, resumeGraceMs: config.RESUME_GRACE_MS, now };
  const session: SessionDeps = { ...reporting, accessTokens: deps.accessTokens, notifier, now };
  const join: JoinDeps = { ...reporting, ...seatHolding, tickets: deps.tickets, players, inbox, departures, notifier, replicaId };
  const leave: LeaveDeps = { ...reporting, ...seatHolding, departures, track };
  const signal: SignalDeps = {
    ...reporting,
    localSeats,
    signals: new SignalRelay(commands, { mailboxLimit: config.SIGNAL_MAILBOX_LIMIT, replicaId, now, splitBySlot: deps.redis.cluster }),
    inbox,
    replicaId,
    now,
  };
  const media: MediaDeps = { ...reporting, localSeats, seats, notifier, now };
  const chat: ChatDeps = { ...reporting, localSeats, chat: new ChatHistory(commands), notifier, now };
  const game: GameDeps = { ...reporting, localSeats, games, notifier, now };
  const moderation: ModerationDeps = { ...reporting, localSeats, seats, flags: new RoomFlags(commands), departures, notifier, now };
  const knocks = new KnockStore(commands);
  const knocking: KnockDeps = { ...reporting, tickets: deps.tickets, localSeats, knocks, notifier, knockTimeoutMs: config.KNOCK_TIMEOUT_MS, track, now };

  // Every behaviour's handlers, once per replica; a socket only gets the guard and its deadlines.
  const events = new ClientEventRouter(reporting);
  const sessions = registerSessionHandlers(session, events);
  registerJoinHandlers(join, events);
  registerLeaveHandlers(leave, events);
  registerSignalHandlers(signal, events);
  registerMediaHandlers(media, events);
  registerChatHandlers(chat, events);
  registerGameHandlers(game, events);
  registerModerationHandlers(moderation, events);
  registerKnockHandlers(knocking, events);
  events.requireHandlersFor(Object.values(ClientEvent));
  const eventGuard = { rateLimit: { burst: config.SOCKET_RATE_LIMIT_BURST, perSecond: config.SOCKET_RATE_LIMIT_PER_SECOND }, metrics, now, events };

  io.use(authenticateHandshake({ accessTokens: deps.accessTokens, metrics, logger }));
  io.on('connection', (socket) => {
    guardEvents(eventGuard, socket);
    events.attach(socket);
    sessions.watch(socket);
  });

  const roomEvents = new RoomEvents({ notifier, subscriber, seats, localSeats, departures, knocks, logger, now });
  const signedOutSessions = followSignedOutSessions({ io, subscriber, logger });
  const leaseKeeper = new LeaseKeeper({ notifier, redis: commands, seats, localSeats, departures, logger, now });
  const roomCatchUp = new RoomCatchUp({ adapterSubscriber: deps.redis.adapterSubscriber, seats, departures: departureLog, localSeats, notifier, logger, now });
  const sweeper = new SeatSweeper({ redis: commands, replicaId, seats, departures, logger, now });
  await inbox.start();
  await roomEvents.start();
  await signedOutSessions.start();
  leaseKeeper.start();
  roomCatchUp.start();
  sweeper.start();

  app.addHook('preClose', async () => {
    await Promise.all([leaseKeeper.stop(), roomCatchUp.stop(), sweeper.stop()]);
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
