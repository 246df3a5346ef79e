import helmet from '@fastify/helmet';
import websocket from '@fastify/websocket';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import { stunBindingOk } from '@meshcall/shared/stun-binding';
import { Counter, Gauge } from 'prom-client';
import { redisTargetOf } from '@meshcall/shared';
import {
  connectMongo,
  accountsOnly,
  createPlatformTokenVerifier,
  createBaseApp,
  createRedisClient,
  loadSigningKey,
  registerDocs,
  registerHealthRoutes,
  registerMetrics,
  type RedisClient,
} from '@meshcall/server-kit';
import { turnServersOf, type RoomsConfig } from './config.js';
import { RoomEventPublisher } from './events/room-event-publisher.js';
import { LobbyBridge } from './lobby/lobby-bridge.js';
import { LobbyHub } from './lobby/lobby-hub.js';
import { LiveRoomStore } from './repositories/live-room-store.js';
import { LobbyReadModel } from './repositories/lobby-read-model.js';
import { MongoRoomRepository } from './repositories/mongo-room-repository.js';
import { ListCursorCodec, cursorKey } from './rooms/list-cursor.js';
import { RoomCreationLimits } from './rooms/room-creation-limits.js';
import { FixedWindowRate } from './rooms/fixed-window-rate.js';
import { RoomService } from './rooms/room-service.js';
import { TurnGrantLimiter } from './turn/turn-grant-limiter.js';
import { TurnServerPool } from './turn/turn-server-pool.js';
import { jwksRoutes } from './routes/jwks-routes.js';
import { liveRoutes } from './routes/live-routes.js';
import { roomPreviewRoutes } from './routes/room-preview-routes.js';
import { roomRoutes } from './routes/room-routes.js';
import { JoinTicketIssuer } from './tickets/join-ticket.js';

export interface BuildAppOptions {
  /** Replace the logger (tests pass false). */
  logger?: FastifyServerOptions['logger'];
}

/** The largest lobby message is an auth message with a token; nothing legitimate comes near this. */
const LOBBY_MAX_MESSAGE_BYTES = 8 * 1024;

/**
 * Builds the rooms service. It starts even when MongoDB or Redis are down (they are reconnected
 * in the background and /readyz says 503 meanwhile); closing the app releases them.
 */
export async function buildApp(config: RoomsConfig, options: BuildAppOptions = {}) {
  const app = createBaseApp({ service: 'rooms', logLevel: config.LOG_LEVEL, trustProxy: config.TRUST_PROXY, logger: options.logger });

  // External plugins first, then our dependencies, then routes (fastify/demo order).
  await app.register(helmet, { global: true });
  await app.register(websocket, { options: { maxPayload: LOBBY_MAX_MESSAGE_BYTES } });
  const metrics = registerMetrics(app, 'rooms');
  await registerDocs(app, {
    title: 'meshcall rooms',
    description: 'Rooms, access rules, join tickets, TURN credentials and the live lobby (WebSocket at /live).',
    publicPrefix: '/api/rooms',
  });

  const mongo = connectMongo(config.MONGO_URL, app.log);
  const rooms = new MongoRoomRepository(mongo.connection);
  void mongo.connected
    .then(() => rooms.ensureIndexes())
    .catch((error: unknown) => app.log.error({ err: error }, 'could not create the room indexes'));

  // Commands fail fast while Redis is away (503) instead of queueing behind a dead connection.
  const redisTarget = redisTargetOf(config);
  const redis = createRedisClient(redisTarget, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'rooms' });
  // The subscriber queues its SUBSCRIBE until connected and re-subscribes after every reconnect.
  // No ready check: its INFO would race the SUBSCRIBE (which Redis takes even while loading) and
  // fail once the connection is in subscriber mode, leaving the lobby deaf.
  const subscriber = createRedisClient(redisTarget, { connectionName: 'rooms-subscriber', enableReadyCheck: false });
  reportConnectionState(redis, 'rooms', app.log);
  reportConnectionState(subscriber, 'rooms-subscriber', app.log);

  const signingKey = await loadSigningKey({
    pem: config.ROOMS_SIGNING_KEY,
    dataDir: config.DATA_DIR,
    fileName: 'rooms-signing-key.json',
    production: config.NODE_ENV === 'production',
  });
  const tickets = new JoinTicketIssuer(signingKey, config.TICKET_TTL);
  // The same Redis holds the revocation set of signed-out sessions that auth writes.
  const platformTokens = createPlatformTokenVerifier(config.AUTH_JWKS_URL, redis);
  const live = new LiveRoomStore(redis);
  const events = new RoomEventPublisher(redis);
  const lobby = new LobbyReadModel({ redis, rooms, database: databaseNameOf(config.MONGO_URL), log: app.log });
  // Rebuilt from MongoDB when missing (first start, Redis flushed), so it waits for the connection.
  void mongo.connected.then(() => lobby.start()).catch(() => undefined);

  const ticketsIssued = new Counter({ name: 'rooms_join_tickets_issued_total', help: 'Join tickets handed out', registers: [metrics] });
  const lobbySockets = new Gauge({ name: 'rooms_lobby_sockets', help: 'Authenticated lobby WebSockets on this replica', registers: [metrics] });
  const turnServers = new TurnServerPool({
    servers: turnServersOf(config),
    ...(config.TURN_HEALTH_CHECK ? { probe: ({ host, port }) => stunBindingOk(port, host) } : {}),
    log: app.log,
  });
  turnServers.start();
  new Gauge({
    name: 'rooms_turn_server_healthy',
    help: 'Whether a TURN server passes its health check (1) or fails it and is left out unless all fail (0), or has not been checked (not yet, or TURN_HEALTH_CHECK=false: -1)',
    labelNames: ['server'],
    registers: [metrics],
    collect() {
      for (const { server, health } of turnServers.health()) this.set({ server: server.id }, health === 'healthy' ? 1 : health === 'failing' ? 0 : -1);
    },
  });
  const hub = new LobbyHub((count) => lobbySockets.set(count));
  const bridge = new LobbyBridge({ subscriber, rooms, lobby, live, events, hub, log: app.log });
  void bridge.start().catch((error: unknown) => app.log.error({ err: error }, 'could not subscribe to the lobby channels'));

  const service = new RoomService({
    rooms,
    lobby,
    cursors: new ListCursorCodec(cursorKey(config)),
    live,
    events,
    tickets,
    limits: new RoomCreationLimits(redis, {
      roomsPerAccount: config.ROOMS_PER_ACCOUNT,
      ratePerWindow: config.ROOM_CREATE_RATE_LIMIT,
      rateWindowSeconds: config.ROOM_CREATE_RATE_WINDOW,
    }),
    inviteRotations: new FixedWindowRate(redis, { limit: config.INVITE_ROTATIONS_PER_MINUTE, windowSeconds: 60, wording: ['make a new invite link', 'times'] }),
    turn: {
      serverFor: (roomId) => turnServers.serverFor(roomId),
      secret: config.TURN_SECRET,
      credentialTtlSeconds: config.TURN_CREDENTIAL_TTL,
    },
    turnGrants: new TurnGrantLimiter(redis, { perUser: config.TURN_GRANTS_PER_USER, perSeat: config.TURN_GRANTS_PER_SEAT, windowSeconds: config.TURN_CREDENTIAL_TTL }),
    videoUploadBudgetKbps: config.VIDEO_UPLOAD_BUDGET_KBPS,
    log: app.log,
    onTicketIssued: () => ticketsIssued.inc(),
  });

  registerHealthRoutes(app, 'rooms', {
    mongo: () => mongo.isReady(),
    redis: async () => subscriber.status === 'ready' && (await redis.ping()) === 'PONG',
    authJwks: () => platformTokens.isReachable(),
    // The lobby and the quota are served from the read model: a starting replica waits for it.
    lobbyReadModel: () => lobby.hasBeenBuilt(),
  });
  await app.register(jwksRoutes, { tickets });
  // The lobby is an account's: a guest token is refused there (GUEST_NOT_ALLOWED closes the socket).
  await app.register(liveRoutes, { hub, accessTokens: accountsOnly(platformTokens), allowedOrigins: config.ALLOWED_ORIGINS });
  await app.register(roomPreviewRoutes, { service });
  await app.register(roomRoutes, { service, platformTokens });

  app.addHook('onClose', async () => {
    bridge.stop();
    hub.stop();
    await turnServers.stop();
    await lobby.stop();
    redis.disconnect();
    subscriber.disconnect();
    await mongo.close();
  });
  return app;
}

export type RoomsApp = Awaited<ReturnType<typeof buildApp>>;

/** The database a MongoDB URL names (the driver's default, `test`, when it names none). */
function databaseNameOf(mongoUrl: string): string {
  return decodeURIComponent(new URL(mongoUrl).pathname.slice(1)) || 'test';
}

/** ioredis retries every few hundred ms while Redis is away; one line per outage is enough. */
function reportConnectionState(client: RedisClient, connection: string, log: FastifyBaseLogger): void {
  let down = false;
  client.on('error', (error) => {
    if (down) return;
    down = true;
    log.warn({ err: error, connection }, 'redis connection lost; retrying');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ connection }, 'redis connection back');
  });
}
