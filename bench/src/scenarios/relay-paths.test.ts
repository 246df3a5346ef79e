import { describe, expect, it } from 'vitest';
import { LOAD_GENERATOR } from '../cpu-accounting.js';
import { MACHINE_TOTAL } from '../process-memory.js';
import { RELAY_PATHS } from '../config.js';
import { acknowledgementCost, checkPerSocketRates, loadCpu, pathRatios } from './relay-paths.js';
import { result } from './relay-paths.test-fixture.js';

describe('loadCpu', () => {
  it('gives each process’s µs per message and the server sum without the load generator', () => {
    const cpu = loadCpu({ 'signaling-1': 1, 'signaling-2': 1, redis: 0.5, gateway: 0.5, [LOAD_GENERATOR]: 2, [MACHINE_TOTAL]: 6 }, 100_000);
    expect(cpu.microsecondsPerMessage).toMatchObject({ 'signaling-1': 10, redis: 5, gateway: 5, [LOAD_GENERATOR]: 20 });
    expect(cpu.serverMicrosecondsPerMessage).toBe(30);
  });
});

describe('pathRatios', () => {
  it('compares meshcall with each peer on the same path only', () => {
    const results = [
      result('meshcall', 'gateway', { p50: 0.6, p99: 4, high: 7_000, ceiling: 15_000, cpuSeconds: { 'signaling-1': 3, gateway: 0.75 } }),
      result('naive', 'gateway', { p50: 0.3, p99: 2, high: 10_000, ceiling: 30_000, cpuSeconds: { 'naive-relay': 3, 'naive-nginx': 0.75 } }),
      result('peerjs', 'direct', { p50: 0.1, p99: 0.4, high: 10_000, ceiling: 60_000, cpuSeconds: { peerjs: 3 } }),
    ];
    const ratios = pathRatios(results);
    expect(ratios.map((r) => `${r.path}/${r.peer}`)).toEqual(['gateway/naive']);
    expect(ratios[0]?.ratios).toMatchObject({ p50Ms: 2, p99Ms: 2, highStepDeliveredPerS: 0.7, ceilingPerS: 0.5, serverMicrosecondsPerMessage: 2 });
  });
});

describe('the acknowledged meshcall row', () => {
  const acknowledged = { ...result('meshcall', 'gateway', { p50: 0.9, p99: 6, high: 5_000, ceiling: 10_000, cpuSeconds: { 'signaling-1': 4, gateway: 1 } }), acknowledged: true as const };
  const fireAndForget = result('meshcall', 'gateway', { p50: 0.6, p99: 4, high: 7_000, ceiling: 15_000, cpuSeconds: { 'signaling-1': 3, gateway: 0.75 } });
  const naive = result('naive', 'gateway', { p50: 0.3, p99: 2, high: 10_000, ceiling: 30_000, cpuSeconds: { 'naive-relay': 3, 'naive-nginx': 0.75 } });

  it('stays out of the ratios to the peers, wherever it comes in the plan', () => {
    expect(pathRatios([acknowledged, fireAndForget, naive])[0]?.ratios).toMatchObject({ p50Ms: 2, ceilingPerS: 0.5 });
  });

  it('is compared with the fire-and-forget row of its path', () => {
    const cost = acknowledgementCost([fireAndForget, naive, acknowledged]);
    expect(cost?.path).toBe('gateway');
    expect(cost?.ratios).toMatchObject({ p50Ms: 1.5, p99Ms: 1.5, ceilingPerS: 0.67 });
    expect(acknowledgementCost([fireAndForget, naive])).toBeUndefined();
  });
});

describe('checkPerSocketRates', () => {
  it('accepts the configured plan: 10k msg/s over 400 pairs stays under signaling’s 30/s', () => {
    expect(() => checkPerSocketRates(RELAY_PATHS)).not.toThrow();
  });

  it('refuses too few pairs for the rate', () => {
    expect(() => checkPerSocketRates({ pairs: 100, latencyRate: 1_000, highRate: 10_000, perSocketLimit: 30 })).toThrow(/100 msg\/s per socket/);
  });
});
