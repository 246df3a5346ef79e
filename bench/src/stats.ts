/**
 * The statistics every figure of the bench is reported with. Percentiles use the nearest-rank
 * method (the smallest sample with at least p% of the samples at or below it), so a reported p99
 * is always a latency that really happened, never an interpolation between two.
 */

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank percentile of an ascending array; NaN for no samples. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1] as number;
}

/** Rounds to `digits` decimals (3 by default: microseconds when the unit is ms). */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const values = Array.from(sorted);
  const sum = values.reduce((total, value) => total + value, 0);
  return {
    samples: values.length,
    p50Ms: round(percentile(values, 50)),
    p95Ms: round(percentile(values, 95)),
    p99Ms: round(percentile(values, 99)),
    maxMs: round(values.at(-1) ?? Number.NaN),
    meanMs: round(values.length > 0 ? sum / values.length : Number.NaN),
  };
}

/** Events per second over an interval, rounded to one decimal. */
export function ratePerSecond(count: number, elapsedMs: number): number {
  if (elapsedMs <= 0) return Number.NaN;
  return round((count * 1000) / elapsedMs, 1);
}

/**
 * How a value compares to a peer's: `value / peer`, rounded to two decimals. For latency and
 * memory lower is better, so a ratio below 1 means meshcall does better; for throughput it is
 * the other way round, which the reports spell out next to each ratio.
 */
export function ratio(value: number, peer: number): number {
  if (!Number.isFinite(value) || !Number.isFinite(peer) || peer === 0) return Number.NaN;
  return round(value / peer, 2);
}

/** Target check: by how much a measured value misses (positive) or beats (negative) a bound. */
export function marginToTarget(measured: number, target: number, better: 'lower' | 'higher'): { met: boolean; byPercent: number } {
  const met = better === 'lower' ? measured <= target : measured >= target;
  const byPercent = round(((better === 'lower' ? measured - target : target - measured) / target) * 100, 1);
  return { met, byPercent };
}
