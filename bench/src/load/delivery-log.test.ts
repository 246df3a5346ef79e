import { describe, expect, it } from 'vitest';
import { DeliveryLog } from './delivery-log.js';

describe('DeliveryLog', () => {
  it('times each delivered message once and ignores ids of other phases', () => {
    const log = new DeliveryLog(100);
    const first = log.stamp(0);
    const second = log.stamp(1);
    expect([first, second]).toEqual([100, 101]);
    log.receive(first);
    log.receive(first);
    log.receive(7);
    expect(log.delivered).toBe(1);
    expect(log.outstanding).toBe(1);
    expect(log.latenciesMs[0]).toBeGreaterThanOrEqual(0);
    expect(log.idCeiling).toBe(102);
  });

  it('counts refusals by reason and stops waiting for them', () => {
    const log = new DeliveryLog(0);
    const id = log.stamp(0);
    log.fail(id, 'RATE_LIMITED');
    expect(log.outstanding).toBe(0);
    expect(log.failed).toBe(1);
    expect(Object.fromEntries(log.failures)).toEqual({ RATE_LIMITED: 1 });
    expect(log.delivered).toBe(0);
  });

  it('tells the closed loop which pair settled, delivered or refused', () => {
    const settled: number[] = [];
    const log = new DeliveryLog(0, (pair) => settled.push(pair));
    const a = log.stamp(3);
    const b = log.stamp(5);
    log.receive(a);
    log.fail(b, 'UNAVAILABLE');
    expect(settled).toEqual([3, 5]);
  });
});
