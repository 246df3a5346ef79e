import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineBuckets } from './deadline-buckets.js';

describe('deadline buckets', () => {
  let due: string[];
  let buckets: DeadlineBuckets<string>;
  const start = Date.UTC(2026, 11, 7, 12, 0, 0);

  beforeEach(() => {
    vi.useFakeTimers({ now: start });
    due = [];
    buckets = new DeadlineBuckets<string>((member) => due.push(member), () => Date.now());
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps one timer for every deadline of a second, and calls each member at that second, not before', () => {
    for (let i = 0; i < 1_000; i++) buckets.add(`socket-${i}`, start + 90_000);
    buckets.add('later', start + 91_000);
    expect(vi.getTimerCount()).toBe(2);

    vi.advanceTimersByTime(89_999);
    expect(due).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(due).toHaveLength(1_000);
    expect(due).not.toContain('later');
    vi.advanceTimersByTime(1_000);
    expect(due.at(-1)).toBe('later');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rounds a deadline inside a second up to its end, never early', () => {
    buckets.add('a', start + 1_200);
    vi.advanceTimersByTime(1_999);
    expect(due).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(due).toEqual(['a']);
  });

  it('forgets a removed member, and drops the timer of a second left empty', () => {
    buckets.add('stays', start + 5_000);
    buckets.add('leaves', start + 5_000);
    buckets.add('alone', start + 6_000);
    buckets.remove('leaves', start + 5_000);
    buckets.remove('alone', start + 6_000);
    // Removing what is not there (another second, or twice) changes nothing.
    buckets.remove('stays', start + 7_000);
    buckets.remove('alone', start + 6_000);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(due).toEqual(['stays']);
  });

  it('calls a deadline already past at once, and waits for one beyond the timer ceiling in steps', () => {
    buckets.add('past', start - 3_000);
    const farAway = start + 30 * 24 * 3_600_000;
    buckets.add('far', farAway);
    vi.advanceTimersByTime(0);
    expect(due).toEqual(['past']);
    vi.advanceTimersByTime(farAway - start - 1);
    expect(due).toEqual(['past']);
    vi.advanceTimersByTime(1);
    expect(due).toEqual(['past', 'far']);
  });
});
