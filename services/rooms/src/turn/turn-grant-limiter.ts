import type { RedisClient } from '@meshcall/server-kit';
import { RetryLaterError } from '../rooms/fixed-window-rate.js';

export interface TurnGrantLimits {
  /** Grants (a join, or a refresh in a room) one user may receive per window, over all rooms. */
  perUser: number;
  /** Grants one room may hand out per window, per seat of its capacity. */
  perSeat: number;
  /** Window length, seconds: the credential lifetime, so a window's grants are what can be live at once. */
  windowSeconds: number;
}

/** Private to rooms. The hash tags keep each counter on one shard of a Redis Cluster. */
export const turnGrantKeys = {
  user: (userId: string) => `meshcall:turn-grants:{user:${userId}}`,
  room: (roomId: string) => `meshcall:turn-grants:{room:${roomId}}`,
};

/**
 * Bounds how many TURN credentials a user and a room receive per credential lifetime. Every
 * credential can open up to coturn's user-quota allocations, and a credential lives on after
 * the call; without a bound a handful of accounts could hold every relay port (issue 19). The
 * bounds are fixed windows counted in Redis (INCR, then EXPIRE NX on the first hit), so every
 * rooms replica shares them. A refused attempt counts too: asking faster does not help.
 */
export class TurnGrantLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly limits: TurnGrantLimits,
  ) {}

  /**
   * Counts one grant for `userId` in `roomId`; throws RATE_LIMITED (with the seconds until the
   * window that was passed ends) when either bound is passed.
   */
  async take(userId: string, roomId: string, capacity: number): Promise<void> {
    // One transaction per counter: the two keys live in different slots of a Redis Cluster.
    const [[userGrants, userTtlMs], [roomGrants, roomTtlMs]] = await Promise.all([
      this.count(turnGrantKeys.user(userId)),
      this.count(turnGrantKeys.room(roomId)),
    ]);
    const retryAfter = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs / 1000));
    if (userGrants > this.limits.perUser) {
      const seconds = retryAfter(userTtlMs);
      throw new RetryLaterError(seconds, `You have asked for relay credentials too often; join again in ${seconds} s.`);
    }
    if (roomGrants > this.limits.perSeat * capacity) {
      const seconds = retryAfter(roomTtlMs);
      throw new RetryLaterError(seconds, `This room has handed out too many relay credentials; join again in ${seconds} s.`);
    }
  }

  /** Counts one hit in the window of `key`: the count so far and the window's time left (ms). */
  private async count(key: string): Promise<[number, number]> {
    const results = await this.redis.multi().incr(key).expire(key, this.limits.windowSeconds, 'NX').pttl(key).exec();
    if (!results) throw new Error('redis: the TURN grant counters were not updated');
    for (const [error] of results) if (error) throw error;
    const [count, , ttlMs] = results.map(([, value]) => Number(value));
    return [count ?? 0, ttlMs ?? 0];
  }
}
