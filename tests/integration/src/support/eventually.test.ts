import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';

describe('eventually', () => {
  it('returns the first accepted value, retrying through errors', async () => {
    let calls = 0;
    const value = await eventually(
      'counter',
      async () => {
        calls++;
        if (calls === 1) throw new Error('not up yet');
        return calls;
      },
      (n) => n >= 3,
      { timeoutMs: 2_000, intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it('fails after the deadline naming what it waited for and what it last saw', async () => {
    await expect(eventually('occupancy of room x', async () => 1, (n) => n === 0, { timeoutMs: 50, intervalMs: 10 })).rejects.toThrow(
      /occupancy of room x: not within 50 ms after \d+ attempts \(last value: 1\)/,
    );
  });

  it('reports the last error when the probe never succeeds', async () => {
    await expect(
      eventually(
        'readyz',
        async () => {
          throw new Error('ECONNREFUSED');
        },
        () => true,
        { timeoutMs: 30, intervalMs: 10 },
      ),
    ).rejects.toThrow(/last error: ECONNREFUSED/);
  });
});
