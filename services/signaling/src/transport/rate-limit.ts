/**
 * A per-socket token bucket: `capacity` events may come at once (joining a full mesh sends a
 * burst of ICE candidates), refilled at `perSecond`. It answers synchronously, in the order
 * events arrive; a promise-based limiter (rate-limiter-flexible's memory limiter) can let a later
 * event overtake an earlier one, and signals must reach the peer in the order they were sent.
 * One bucket per socket, in memory: a flooding socket only ever spends its own budget.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.refilledAt = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.perSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
