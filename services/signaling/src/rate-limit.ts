import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Per-socket event budget: a sustained rate per second plus a burst allowance that refills over
 * ten seconds (rate-limiter-flexible's bursty limiter, its take on a token bucket). In memory per
 * replica: a socket lives on one replica, and a flooding socket only ever spends its own budget.
 */
export class SocketRateLimiter {
  private readonly limiter: BurstyRateLimiter;
  private readonly sustained: RateLimiterMemory;
  private readonly burst: RateLimiterMemory;

  constructor(perSecond: number, burst: number) {
    this.sustained = new RateLimiterMemory({ keyPrefix: 'sustained', points: perSecond, duration: 1 });
    this.burst = new RateLimiterMemory({ keyPrefix: 'burst', points: burst, duration: 10 });
    this.limiter = new BurstyRateLimiter(this.sustained, this.burst);
  }

  /** True when the socket may send one more event now. */
  async tryConsume(socketId: string): Promise<boolean> {
    try {
      await this.limiter.consume(socketId);
      return true;
    } catch (error) {
      if (error instanceof RateLimiterRes) return false;
      throw error;
    }
  }

  async forget(socketId: string): Promise<void> {
    await Promise.all([this.sustained.delete(socketId), this.burst.delete(socketId)]);
  }
}
