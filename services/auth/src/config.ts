import { z } from 'zod';
import { GUEST_TOKEN_TTL_SECONDS, env, loadConfig, redisTargetEnv, requireOneRedisTarget, alongsideOtherProblems } from '@meshcall/shared';

/** bcrypt cost below which production refuses to start: each step halves an attacker's guessing rate. */
export const MIN_PRODUCTION_BCRYPT_COST = 10;

const pem = (label: string) =>
  z
    .string()
    .refine((value) => value.includes(`-----BEGIN ${label}-----`), `must be a PEM block starting with -----BEGIN ${label}-----`)
    .optional();

export const authConfigSchema = z
  .object({
    NODE_ENV: env.nodeEnv(),
    HOST: z.string().default('127.0.0.1'),
    PORT: env.port(),
    LOG_LEVEL: env.logLevel(),
    DATA_DIR: z.string().default('./.data/auth'),
    ALLOWED_ORIGINS: env.origins('http://127.0.0.1:8080,http://localhost:8080'),
    TRUST_PROXY: env.trustProxy(),
    MONGO_URL: env.url(['mongodb', 'mongodb+srv']),
    ...redisTargetEnv,
    // bcrypt itself accepts 4..31; past 15 a single sign-in takes seconds in bcryptjs.
    BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
    ACCESS_TOKEN_TTL: env.seconds(900),
    REFRESH_TOKEN_TTL: env.seconds(30 * 24 * 3600),
    // A guest session (POST /guest) lasts this long, with no refresh: one call's worth.
    GUEST_TOKEN_TTL: env.seconds(GUEST_TOKEN_TTL_SECONDS),
    AUTH_SIGNING_KEY: pem('PRIVATE KEY'),
    AUTH_PREVIOUS_PUBLIC_KEY: pem('PUBLIC KEY'),
    // Sign-in throttling (plugins/failed-sign-in-limit.ts): failures per bucket before the
    // backoff starts, its first wait (doubling per further failure) and its ceiling, and how long
    // an idle bucket is remembered.
    AUTH_SIGN_IN_FREE_FAILURES: env.positiveInt(5),
    AUTH_SIGN_IN_BACKOFF_BASE: env.seconds(30),
    AUTH_SIGN_IN_BACKOFF_MAX: env.seconds(3600),
    AUTH_SIGN_IN_MEMORY: env.seconds(24 * 3600),
    // Anonymous failures per client address across all accounts, against password spraying.
    AUTH_SIGN_IN_ADDRESS_MAX: env.positiveInt(50),
    AUTH_SIGN_IN_ADDRESS_WINDOW: env.seconds(900),
    // How long a browser stays trusted for an account after its last successful sign-in.
    AUTH_DEVICE_COOKIE_TTL: env.seconds(180 * 24 * 3600),
  })
  .superRefine((config, context) => {
    if (config.AUTH_SIGN_IN_BACKOFF_MAX < config.AUTH_SIGN_IN_BACKOFF_BASE) {
      context.addIssue({ code: 'custom', path: ['AUTH_SIGN_IN_BACKOFF_MAX'], message: 'must be at least AUTH_SIGN_IN_BACKOFF_BASE' });
    }
    // A bucket forgotten before its wait is over would end the backoff early.
    if (config.AUTH_SIGN_IN_MEMORY < config.AUTH_SIGN_IN_BACKOFF_MAX) {
      context.addIssue({ code: 'custom', path: ['AUTH_SIGN_IN_MEMORY'], message: 'must be at least AUTH_SIGN_IN_BACKOFF_MAX' });
    }
    if (config.NODE_ENV !== 'production') return;
    // Outside production a key is generated into DATA_DIR; in production that would silently
    // give every replica its own key, so the operator must provide one.
    if (!config.AUTH_SIGNING_KEY) {
      context.addIssue({ code: 'custom', path: ['AUTH_SIGNING_KEY'], message: 'is required when NODE_ENV=production' });
    }
    if (config.BCRYPT_COST < MIN_PRODUCTION_BCRYPT_COST) {
      context.addIssue({
        code: 'custom',
        path: ['BCRYPT_COST'],
        message: `must be at least ${MIN_PRODUCTION_BCRYPT_COST} when NODE_ENV=production`,
      });
    }
  })
  .superRefine(requireOneRedisTarget, alongsideOtherProblems);

export type AuthConfig = z.infer<typeof authConfigSchema>;

/** Reads and validates the environment once; throws a ConfigError naming every bad variable. */
export function loadAuthConfig(source: Record<string, string | undefined> = process.env): AuthConfig {
  return loadConfig('auth', authConfigSchema, source);
}
