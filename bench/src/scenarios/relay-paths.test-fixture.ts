import type { SystemName } from '../load/relay-target.js';
import { summarize } from '../stats.js';
import { loadCpu, type RelayPathResult } from './relay-paths.js';

/** Made-up results of the relay-gateway phase for the unit tests of its ratios and report. */
function step(p50: number, p99: number, deliveredPerS: number) {
  const latency = { ...summarize([p50]), p50Ms: p50, p99Ms: p99 };
  return {
    offeredPerS: deliveredPerS,
    sentPerS: deliveredPerS,
    deliveredPerS,
    sent: 1,
    delivered: 1,
    failed: 0,
    failures: {},
    lost: 0,
    latency,
    cpuCores: {},
    sustainable: true,
    verdict: 'sustained',
    cpu: loadCpu({}, 1),
  };
}

export function result(system: SystemName, path: 'direct' | 'gateway', figures: { p50: number; p99: number; high: number; ceiling: number; cpuSeconds: Record<string, number> }): RelayPathResult {
  const delivered = figures.ceiling * 5;
  return {
    system,
    path,
    label: `${system} ${path}`,
    pairs: 400,
    atLatencyRate: step(figures.p50, figures.p99, 1_000),
    highStep: { ...step(figures.p50 * 10, figures.p99 * 10, figures.high), perSenderRate: 25 },
    ceiling: { pairs: 400, window: 2, durationS: 5, delivered, deliveredPerS: figures.ceiling, failed: 0, failures: {}, latency: summarize([1]), cpuCores: {}, cpu: loadCpu(figures.cpuSeconds, delivered) },
  };
}

