import { describe, expect, it } from 'vitest';
import { LOAD_GENERATOR, figureRatios, microsecondsByRole, microsecondsPerMessage, pairsWithinRateLimit, perSocketRate, roleOf, serverMicrosecondsPerMessage, type ComparableFigures } from './cpu-accounting.js';
import { MACHINE_TOTAL } from './process-memory.js';

describe('microsecondsPerMessage', () => {
  it('divides each process’s CPU seconds by the messages carried, in µs', () => {
    const perMessage = microsecondsPerMessage({ 'signaling-1': 0.5, redis: 0.2, [MACHINE_TOTAL]: 1.5 }, 10_000);
    expect(perMessage).toEqual({ 'signaling-1': 50, redis: 20, [MACHINE_TOTAL]: 150 });
  });

  it('gives NaN, not zero, when nothing was carried', () => {
    expect(microsecondsPerMessage({ peerjs: 0.3 }, 0).peerjs).toBeNaN();
  });

  it('never goes negative (a counter read across a process restart)', () => {
    expect(microsecondsPerMessage({ gateway: -0.01 }, 100).gateway).toBe(0);
  });
});

describe('serverMicrosecondsPerMessage', () => {
  it('sums the server processes and leaves out the load generator and the machine total', () => {
    expect(serverMicrosecondsPerMessage({ 'signaling-1': 30, 'signaling-2': 31.5, redis: 12, gateway: 8, [LOAD_GENERATOR]: 40, [MACHINE_TOTAL]: 130 })).toBe(81.5);
  });

  it('is NaN without any server process', () => {
    expect(serverMicrosecondsPerMessage({ [LOAD_GENERATOR]: 40 })).toBeNaN();
  });
});

describe('per-socket rate', () => {
  it('spreads 10k msg/s over 400 senders at 25 msg/s each, under signaling’s default 30/s', () => {
    expect(perSocketRate(10_000, 400)).toBe(25);
    expect(pairsWithinRateLimit(10_000, 30)).toBe(334);
    expect(perSocketRate(10_000, pairsWithinRateLimit(10_000, 30))).toBeLessThanOrEqual(30);
  });

  it('refuses a limit of zero', () => {
    expect(() => pairsWithinRateLimit(1_000, 0)).toThrow();
  });
});

describe('figureRatios', () => {
  const meshcall: ComparableFigures = { p50Ms: 0.6, p99Ms: 4, highStepDeliveredPerS: 7_000, highStepP99Ms: 300, ceilingPerS: 15_000, serverMicrosecondsPerMessage: 90 };
  const naive: ComparableFigures = { p50Ms: 0.3, p99Ms: 2, highStepDeliveredPerS: 10_000, highStepP99Ms: 75, ceilingPerS: 30_000, serverMicrosecondsPerMessage: 30 };

  it('is meshcall ÷ peer for every figure', () => {
    expect(figureRatios(meshcall, naive)).toEqual({ p50Ms: 2, p99Ms: 2, highStepDeliveredPerS: 0.7, highStepP99Ms: 4, ceilingPerS: 0.5, serverMicrosecondsPerMessage: 3 });
  });

  it('is NaN where the peer has no figure', () => {
    expect(figureRatios(meshcall, { ...naive, ceilingPerS: Number.NaN }).ceilingPerS).toBeNaN();
  });
});

describe('microsecondsByRole', () => {
  it('puts both replicas under relay, Redis apart, the gateway and a peer’s nginx under nginx', () => {
    expect(microsecondsByRole({ 'signaling-1': 30, 'signaling-2': 31.5, redis: 12, gateway: 8, [LOAD_GENERATOR]: 40, [MACHINE_TOTAL]: 130 })).toEqual({ relay: 61.5, redis: 12, nginx: 8 });
    expect(microsecondsByRole({ 'naive-relay': 20, 'naive-nginx': 9 })).toEqual({ relay: 20, redis: 0, nginx: 9 });
    expect(roleOf(LOAD_GENERATOR)).toBeUndefined();
  });
});
