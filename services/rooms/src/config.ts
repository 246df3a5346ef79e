import { z } from 'zod';
import { DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS, env, loadConfig, redisTargetEnv, requireOneRedisTarget, alongsideOtherProblems } from '@meshcall/shared';
import { formatHostPort, parseTurnServers, TurnServerListError, type TurnServer } from './turn/turn-server-list.js';

/** coturn's `max-allocate-lifetime` in infra/coturn/turnserver.conf; keep the two in step. */
export const TURN_MAX_ALLOCATE_LIFETIME_SECONDS = 600;

export const roomsConfigSchema = z.object({
  NODE_ENV: env.nodeEnv(),
  HOST: z.string().default('127.0.0.1'),
  PORT: env.port(),
  LOG_LEVEL: env.logLevel(),
  DATA_DIR: z.string().default('./.data/rooms'),
  ALLOWED_ORIGINS: env.origins('http://127.0.0.1:8080,http://localhost:8080'),
  TRUST_PROXY: env.trustProxy(),
  MONGO_URL: env.url(['mongodb', 'mongodb+srv']),
  ...redisTargetEnv,
  /** Where auth publishes the keys access tokens are signed with. */
  AUTH_JWKS_URL: env.url(['http', 'https']),
  /** PKCS8 PEM of the ES256 key join tickets are signed with; generated into DATA_DIR outside production. */
  ROOMS_SIGNING_KEY: z.string().optional(),
  /** Seconds a join ticket stays valid: long enough to open the socket, short enough to be useless when leaked. */
  TICKET_TTL: env.seconds(60),
  /** Shared with coturn (`static-auth-secret`); never leaves this service. */
  TURN_SECRET: z.string().min(16, 'must be at least 16 characters'),
  /**
   * Several coturns sharing TURN_SECRET, one handed out per room (turn-server-list.ts for the
   * syntax). Unset: the one server TURN_HOST, TURN_PORT and TURN_TLS_PORT describe.
   */
  TURN_SERVERS: z
    .string()
    .optional()
    .transform((value, context): TurnServer[] | undefined => {
      if (value === undefined) return undefined;
      try {
        return parseTurnServers(value);
      } catch (error) {
        if (!(error instanceof TurnServerListError)) throw error;
        context.addIssue({ code: 'custom', message: `${error.message}; expected comma-separated host[:port][/tls-port][@probe-host[:port]]` });
        return z.NEVER;
      }
    }),
  TURN_HOST: z.string().min(1).default('127.0.0.1'),
  TURN_PORT: env.port(3478),
  TURN_TLS_PORT: env.port(5349),
  /**
   * Probe every TURN server with a STUN Binding request every 2 s and stop handing out one that
   * fails twice in a row. Off where rooms cannot reach coturn (compose's default, whose backend
   * network has no way to it): then every configured server is handed out.
   */
  TURN_HEALTH_CHECK: env.boolean(true),
  /**
   * At least coturn's max-allocate-lifetime (infra/coturn/turnserver.conf), so an allocation
   * never outlives the credentials it was opened with.
   */
  TURN_CREDENTIAL_TTL: z.coerce
    .number()
    .int()
    .min(TURN_MAX_ALLOCATE_LIFETIME_SECONDS, `must be at least ${TURN_MAX_ALLOCATE_LIFETIME_SECONDS} (coturn's max-allocate-lifetime)`)
    .default(TURN_MAX_ALLOCATE_LIFETIME_SECONDS),
  /** TURN credentials one user may receive per TURN_CREDENTIAL_TTL, joins and refreshes together. */
  TURN_GRANTS_PER_USER: env.positiveInt(30),
  /** TURN credentials one room may hand out per TURN_CREDENTIAL_TTL, per seat of its capacity. */
  TURN_GRANTS_PER_SEAT: env.positiveInt(30),
  /** Open rooms one account may own at once; closing one frees its place. */
  ROOMS_PER_ACCOUNT: env.positiveInt(50),
  /** Rooms one account may create per ROOM_CREATE_RATE_WINDOW, counted in Redis across replicas. */
  ROOM_CREATE_RATE_LIMIT: env.positiveInt(30),
  /** Seconds of the creation-rate window. */
  ROOM_CREATE_RATE_WINDOW: env.seconds(600),
  /** Invite codes one account may replace per minute (the call's "New link"), counted in Redis across replicas. */
  INVITE_ROTATIONS_PER_MINUTE: env.positiveInt(10),
  /**
   * Key the lobby's page cursors are signed with (HMAC-SHA256); every rooms replica the same.
   * Unset, it is derived from TURN_SECRET (see cursorKey). Changing it voids cursors handed out.
   */
  LOBBY_CURSOR_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * Kilobits per second each participant may send as video in total, split between the peers of
   * the mesh by the browser; handed out with every join. Below 300 not even two peers get a
   * usable picture; above 50,000 it is no longer a budget.
   */
  VIDEO_UPLOAD_BUDGET_KBPS: z.coerce.number().int().min(300).max(50_000).default(DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS),
}).superRefine((config, context) => {
  // Generating a key in production would silently change it on every deploy and break signaling.
  if (config.NODE_ENV === 'production' && !config.ROOMS_SIGNING_KEY) {
    context.addIssue({ code: 'custom', path: ['ROOMS_SIGNING_KEY'], message: 'is required in production (PKCS8 PEM)' });
  }
}).superRefine(requireOneRedisTarget, alongsideOtherProblems);

export type RoomsConfig = z.infer<typeof roomsConfigSchema>;

/** The TURN servers to hand out: TURN_SERVERS, or the one TURN_HOST/TURN_PORT/TURN_TLS_PORT name. */
export function turnServersOf(config: RoomsConfig): TurnServer[] {
  if (config.TURN_SERVERS) return config.TURN_SERVERS;
  const address = { host: config.TURN_HOST, port: config.TURN_PORT };
  return [{ id: formatHostPort(address), ...address, tlsPort: config.TURN_TLS_PORT, probe: address }];
}

export function loadRoomsConfig(source: Record<string, string | undefined> = process.env): RoomsConfig {
  return loadConfig('rooms', roomsConfigSchema, source);
}
