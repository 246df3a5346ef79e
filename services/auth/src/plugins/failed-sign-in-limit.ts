import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RedisClient } from '@meshcall/server-kit';
import { AppError, ErrorCode } from '@meshcall/shared';
import { accountKeyOf, type DeviceCookies } from './device-cookie.js';

const NAMESPACE = 'meshcall:auth:sign-in:';

/**
 * Checks, then reserves, one attempt in the account bucket (KEYS[1], a hash: `n` failures counted,
 * `at` the time of the last one) and, for anonymous attempts, the address bucket (KEYS[2], a
 * counter over a fixed window). Once a bucket has `free` failures, each further attempt must wait
 * `base * 2^(n - free)` ms (at most `max`) after the previous one. Returns 0 when reserved, else
 * the milliseconds to wait; nothing is counted for a refused attempt.
 * ARGV: free, baseMs, maxMs, memoryMs, addressMax, addressWindowMs.
 */
const RESERVE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local free = tonumber(ARGV[1])
local wait = 0
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n >= free then
  local at = tonumber(redis.call('HGET', KEYS[1], 'at') or '0')
  local delay = math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) * 2 ^ (n - free))
  wait = math.max(wait, at + delay - now)
end
if #KEYS > 1 then
  local used = tonumber(redis.call('GET', KEYS[2]) or '0')
  if used >= tonumber(ARGV[5]) then wait = math.max(wait, redis.call('PTTL', KEYS[2])) end
end
if wait > 0 then return math.ceil(wait) end
redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HSET', KEYS[1], 'at', now)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if #KEYS > 1 and redis.call('INCR', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
return 0`;

/**
 * Gives an attempt back. ARGV[1] = 'success': the password was right, so the account bucket starts
 * over; otherwise (a dependency failed) only this attempt is taken back. The address bucket only
 * ever gets this attempt back, so one right password does not wipe out a spraying address's count.
 */
const RELEASE_SCRIPT = `
if ARGV[1] == 'success' then
  redis.call('DEL', KEYS[1])
elseif tonumber(redis.call('HGET', KEYS[1], 'n') or '0') > 0 then
  redis.call('HINCRBY', KEYS[1], 'n', -1)
end
if #KEYS > 1 and tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 0`;

export interface SignInAttempt {
  /** The password was right: the account bucket starts over. */
  succeeded(): Promise<void>;
  /** A dependency failed before the password was judged: this attempt does not count. */
  release(): Promise<void>;
}

export interface FailedSignInLimit {
  /**
   * Counts the attempt before the password is checked, so that concurrent guesses cannot all slip
   * past the limit; refuses with 429 RATE_LIMITED and Retry-After while its bucket backs off.
   */
  reserve(request: FastifyRequest, email: string, reply: FastifyReply): Promise<SignInAttempt>;
}

export interface FailedSignInLimitOptions {
  redis: RedisClient;
  devices: DeviceCookies;
  /** Failures per bucket before the backoff starts. */
  freeFailures: number;
  /** The first wait after the free failures, seconds; it doubles with each further failure. */
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
  /** A bucket with no attempt for this long is forgotten. */
  memorySeconds: number;
  /** Anonymous failures allowed per address, across accounts, per window. */
  addressMax: number;
  addressWindowSeconds: number;
}

/**
 * Throttles failed sign-ins the way OWASP's Authentication and Credential Stuffing cheat sheets
 * describe, so that nobody can lock an account out by knowing its email:
 *
 * - an attempt from a browser holding a valid device cookie for the account (it signed in to it
 *   before) counts in that device's own bucket;
 * - any other attempt counts in the bucket of the account *and* the address together, so guesses
 *   from one address slow down only that address's attempts at that account, and in the address's
 *   bucket across all accounts, which stops one address spraying many accounts.
 *
 * Buckets back off exponentially instead of locking for a fixed window that a guesser could renew
 * forever. Attempts are reserved up front and given back when they turn out not to be failures,
 * so correct sign-ins never use up the budget.
 */
export function createFailedSignInLimit(options: FailedSignInLimitOptions): FailedSignInLimit {
  const { redis, devices } = options;
  const reserveArgs = [
    options.freeFailures,
    options.backoffBaseSeconds * 1000,
    options.backoffMaxSeconds * 1000,
    options.memorySeconds * 1000,
    options.addressMax,
    options.addressWindowSeconds * 1000,
  ];

  return {
    async reserve(request, email, reply) {
      const accountKey = accountKeyOf(email);
      const deviceId = devices.deviceFor(request, accountKey);
      // IPv6 addresses count per /64 (normalizeIP's default), since one host usually holds a whole
      // /64. One hash tag per address keeps both anonymous buckets in one Redis Cluster slot, as a
      // script touching two keys requires.
      const address = `{${normalizeIP(request.ip)}}`;
      const keys =
        deviceId === undefined
          ? [`${NAMESPACE}${address}:account:${accountKey}`, `${NAMESPACE}${address}:address`]
          : [`${NAMESPACE}device:${accountKey}:${deviceId}`];
      const waitMs = Number(await redis.eval(RESERVE_SCRIPT, keys.length, ...keys, ...reserveArgs));
      if (waitMs > 0) {
        const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
        void reply.header('retry-after', String(retryAfterSeconds));
        throw new AppError(ErrorCode.RATE_LIMITED, `Too many failed sign-ins; try again in ${retryAfterSeconds} s.`);
      }
      const giveBack = (outcome: 'success' | 'not-judged') => async () => {
        // Losing a release to a Redis blip costs the caller one attempt of budget; failing an
        // otherwise good sign-in over it would be worse.
        await redis.eval(RELEASE_SCRIPT, keys.length, ...keys, outcome).catch((error: unknown) => {
          request.log.warn({ err: error }, 'could not give a sign-in attempt back');
        });
      };
      return { succeeded: giveBack('success'), release: giveBack('not-judged') };
    },
  };
}
