import { hostname } from 'node:os';
import { z } from 'zod';
import { KNOCK_TIMEOUT_MS, alongsideOtherProblems, env, loadConfig, redisTargetEnv, requireOneRedisTarget } from '@meshcall/shared';

export const configSchema = z.object({
  NODE_ENV: env.nodeEnv(),
  HOST: z.string().default('127.0.0.1'),
  PORT: env.port(),
  LOG_LEVEL: env.logLevel(),
  ALLOWED_ORIGINS: env.origins('http://127.0.0.1:8080,http://localhost:8080'),
  TRUST_PROXY: env.trustProxy(),
  ...redisTargetEnv,
  AUTH_JWKS_URL: env.url(['http', 'https']),
  ROOMS_JWKS_URL: env.url(['http', 'https']),
  /** Names this replica's delivery channel and its logs; unique per running process. */
  REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
    .default(`${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64)),
  /** How long a dropped peer keeps its seat so it can resume on any replica. */
  RESUME_GRACE_MS: z.coerce.number().int().min(1_000).max(120_000).default(20_000),
  /** How long a knock on a locked room waits for the host's answer. */
  KNOCK_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(KNOCK_TIMEOUT_MS),
  /** Token-bucket refill: events per second a socket may send in the long run. */
  SOCKET_RATE_LIMIT_PER_SECOND: env.positiveInt(30),
  /** Token-bucket size: events a socket may send at once (joining a full mesh sends many ICE candidates). */
  SOCKET_RATE_LIMIT_BURST: env.positiveInt(120),
  /** Signals kept per peer for replay after a resume; beyond this the peer is told to resync. */
  SIGNAL_MAILBOX_LIMIT: z.coerce.number().int().min(1).max(10_000).default(128),
}).superRefine(requireOneRedisTarget, alongsideOtherProblems);

export type Config = z.infer<typeof configSchema>;

export function loadSignalingConfig(source: Record<string, string | undefined> = process.env): Config {
  return loadConfig('signaling', configSchema, source);
}
