import type { RedisClient } from '@meshcall/server-kit';
import { AppError, ErrorCode } from '@meshcall/shared';

/** A refusal the client can retry after `retryAfterSeconds`; the route puts it in `Retry-After`. */
export class RetryLaterError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(ErrorCode.RATE_LIMITED, message);
  }
}

/**
 * Fixed window per key: INCR, with the expiry set by the first attempt of the window. One
 * script, so replicas racing on the same account count every attempt exactly once. Refused
 * attempts count too: a client hammering past the limit does not get through sooner.
 */
const COUNT_ATTEMPT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/** What is limited, for the refusal's sentence: "You can {action} {limit} {unit} every …". */
export interface FixedWindowRateSettings {
  limit: number;
  windowSeconds: number;
  /** The sentence's start and unit, e.g. `['create', 'rooms']`. */
  wording: [action: string, unit: string];
}

/** An account's attempts at one action per window, counted in Redis so every rooms replica agrees. */
export class FixedWindowRate {
  constructor(
    private readonly redis: RedisClient,
    private readonly settings: FixedWindowRateSettings,
  ) {}

  /** Counts one attempt under `key`; throws RetryLaterError (429) past the limit. */
  async take(key: string): Promise<void> {
    const { limit, windowSeconds, wording } = this.settings;
    const [count, ttlMs] = (await this.redis.eval(COUNT_ATTEMPT_SCRIPT, 1, key, windowSeconds * 1000)) as [number, number];
    if (count <= limit) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
    throw new RetryLaterError(
      retryAfterSeconds,
      `You can ${wording[0]} ${limit} ${wording[1]} every ${describeSeconds(windowSeconds)}; try again in ${describeWait(retryAfterSeconds)}.`,
    );
  }
}

function describeWait(seconds: number): string {
  return seconds < 90 ? describeSeconds(seconds) : `${Math.ceil(seconds / 60)} minutes`;
}

function describeSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}
