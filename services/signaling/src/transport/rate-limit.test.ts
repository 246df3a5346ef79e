import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  it('allows a burst up to its capacity, then refuses until tokens refill', () => {
    const bucket = new TokenBucket(3, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    // Half a second at 2 per second refills one token.
    expect(bucket.take(499)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.take(500)).toBe(false);
  });

  it('never holds more than its capacity however long it idles', () => {
    const bucket = new TokenBucket(2, 10, 0);
    const taken = Array.from({ length: 5 }, () => bucket.take(3_600_000));
    expect(taken).toEqual([true, true, false, false, false]);
  });

  it('tolerates a clock that steps backwards', () => {
    const bucket = new TokenBucket(1, 1, 1_000);
    expect(bucket.take(1_000)).toBe(true);
    expect(bucket.take(500)).toBe(false);
    expect(bucket.take(2_000)).toBe(true);
  });
});
