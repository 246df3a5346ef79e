import { describe, expect, it } from 'vitest';
import { marginToTarget, percentile, ratePerSecond, ratio, round, summarize } from './stats.js';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks the sample at the rank, never an interpolation', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
  });

  it('gives the maximum as p99 of fewer than 100 samples and the only sample of one', () => {
    expect(percentile([3, 5, 8, 13, 21], 99)).toBe(21);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
  });

  it('p95 of 20 samples is the 19th', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    expect(percentile(twenty, 95)).toBe(190);
  });

  it('is NaN without samples and refuses percentiles outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts numerically (not as strings) before taking percentiles', () => {
    const summary = summarize([10, 9, 100, 2, 1]);
    expect(summary).toMatchObject({ samples: 5, p50Ms: 9, maxMs: 100, meanMs: 24.4 });
  });

  it('does not reorder the caller’s array', () => {
    const samples = [3, 1, 2];
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('reports an empty phase as NaN rather than zero latency', () => {
    const summary = summarize([]);
    expect(summary.samples).toBe(0);
    expect(summary.p50Ms).toBeNaN();
    expect(summary.p99Ms).toBeNaN();
  });

  it('rounds to microseconds', () => {
    expect(summarize([0.123456]).p50Ms).toBe(0.123);
  });
});

describe('rates, ratios and targets', () => {
  it('turns a count over milliseconds into a rate per second', () => {
    expect(ratePerSecond(1_000, 500)).toBe(2_000);
    expect(ratePerSecond(10, 0)).toBeNaN();
  });

  it('divides by the peer and refuses to divide by nothing', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 3)).toBe(0.33);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
  });

  it('says by how much a lower-is-better target is missed or beaten', () => {
    expect(marginToTarget(0.75, 0.5, 'lower')).toEqual({ met: false, byPercent: 50 });
    expect(marginToTarget(0.25, 0.5, 'lower')).toEqual({ met: true, byPercent: -50 });
    expect(marginToTarget(0.5, 0.5, 'lower').met).toBe(true);
  });

  it('says by how much a higher-is-better target is missed or beaten', () => {
    expect(marginToTarget(15_000, 20_000, 'higher')).toEqual({ met: false, byPercent: 25 });
    expect(marginToTarget(30_000, 20_000, 'higher')).toEqual({ met: true, byPercent: -50 });
  });

  it('rounds half away from zero at the given digits', () => {
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(2.5, 0)).toBe(3);
    expect(round(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });
});
