import { describe, expect, it } from 'vitest';
import { dueByNow } from './pacer.js';

describe('dueByNow', () => {
  it('spreads a rate evenly over the phase', () => {
    expect(dueByNow(1_000, 0, 5_000)).toBe(0);
    expect(dueByNow(1_000, 1, 5_000)).toBe(1);
    expect(dueByNow(1_000, 2.5, 5_000)).toBe(2);
    expect(dueByNow(1_000, 1_000, 5_000)).toBe(1_000);
  });

  it('never exceeds the phase total however late the loop runs', () => {
    expect(dueByNow(1_000, 60_000, 5_000)).toBe(5_000);
  });

  it('catches up after a stall instead of lowering the rate', () => {
    expect(dueByNow(20_000, 10, 1_000_000)).toBe(200);
  });
});
