import { createHash } from 'node:crypto';
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AppError, ErrorCode, type LoginBody } from '@meshcall/shared';

const NAMESPACE = 'meshcall:auth:failed-sign-in:';

/** One counter per key: INCR, starting the window on the first failure of a window. */
const RESERVE_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}`;

/** Gives a reservation back without ever going below zero or touching the window. */
const RELEASE_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * A Redis store for @fastify/rate-limit that can also give an attempt back, which the plugin's
 * own store cannot. Counters live in Redis, so every replica sees the same counts.
 */
function reservableRedisStore(redis: Redis) {
  class ReservableRedisStore {
    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      redis.eval(RESERVE_SCRIPT, 1, NAMESPACE + key, timeWindow).then(
        (result) => {
          const [current, ttl] = result as [number, number];
          callback(null, { current, ttl });
        },
        (error: Error) => callback(error),
      );
    }
    // Limiters made with createRateLimit() get a child store; ours needs no per-route prefix
    // because the key generators already say which counter they mean.
    child(): ReservableRedisStore {
      return this;
    }
  }
  return {
    Store: ReservableRedisStore,
    release: async (key: string) => {
      await redis.eval(RELEASE_SCRIPT, 1, NAMESPACE + key);
    },
  };
}

export interface SignInAttempt {
  /** The attempt did not fail (right password, or a dependency broke): give its reservation back. */
  release(): Promise<void>;
}

export interface FailedSignInLimit {
  /**
   * Counts the attempt against its IP and its account before the password is checked, so that
   * concurrent guesses cannot all slip past the limit; refuses with 429 and Retry-After once
   * either counter is over the limit.
   */
  reserve(request: FastifyRequest, reply: FastifyReply): Promise<SignInAttempt>;
}

export interface FailedSignInLimitOptions {
  redis: Redis;
  /** Failed sign-ins allowed per window, per account and per IP. */
  max: number;
  windowSeconds: number;
}

/**
 * Limits failed sign-ins, not sign-ins: an attempt is reserved up front and released when it
 * turns out not to be a failure (the pattern of express-rate-limit's skipSuccessfulRequests), so
 * people behind one NAT signing in correctly never lock each other out, while a guesser gets
 * exactly `max` wrong passwords per window however many requests it sends at once.
 */
export async function registerFailedSignInLimit(app: FastifyInstance, options: FailedSignInLimitOptions): Promise<FailedSignInLimit> {
  const store = reservableRedisStore(options.redis);
  await app.register(fastifyRateLimit, {
    global: false,
    store: store.Store,
    max: options.max,
    timeWindow: options.windowSeconds * 1000,
  });
  const perIp = app.createRateLimit({ keyGenerator: (request) => `ip:${normalizeIP(request.ip)}` });
  // The address is hashed so the counter keys do not put users' emails into Redis.
  const perAccount = app.createRateLimit({
    keyGenerator: (request) => `account:${createHash('sha256').update((request.body as LoginBody).email).digest('hex')}`,
  });

  return {
    async reserve(request, reply) {
      const outcomes = await Promise.allSettled([perIp(request), perAccount(request)]);
      const reservedKeys = outcomes.flatMap((o) => (o.status === 'fulfilled' && !o.value.isAllowed ? [o.value.key] : []));
      // Losing a release to a Redis blip costs the caller one attempt of budget; failing an
      // otherwise good sign-in over it would be worse.
      const release = async () => {
        await Promise.all(reservedKeys.map((key) => store.release(key))).catch((error: unknown) => {
          request.log.warn({ err: error }, 'could not give a sign-in attempt back');
        });
      };
      const failure = outcomes.find((o) => o.status === 'rejected');
      if (failure) {
        await release();
        throw failure.reason;
      }
      const exceeded = outcomes.flatMap((o) => (o.status === 'fulfilled' && !o.value.isAllowed && o.value.isExceeded ? [o.value] : []));
      if (exceeded.length > 0) {
        // A refused attempt checks no password, so it does not count as a failure either.
        await release();
        const retryAfterSeconds = Math.max(1, ...exceeded.map((limit) => limit.ttlInSeconds));
        void reply.header('retry-after', String(retryAfterSeconds));
        throw new AppError(ErrorCode.RATE_LIMITED, `Too many failed sign-ins; try again in ${retryAfterSeconds} s.`);
      }
      return { release };
    },
  };
}
