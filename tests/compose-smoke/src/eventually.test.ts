import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';

describe('eventually', () => {
  it('returns the first value the check gives, retrying through "not yet" and errors', async () => {
    let calls = 0;
    const value = await eventually(
      'third time',
      async () => {
        calls += 1;
        if (calls === 1) return undefined;
        if (calls === 2) throw new Error('still starting');
        return calls;
      },
      { timeoutMs: 5_000, intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it('gives up with the last reason once the time is spent', async () => {
    await expect(
      eventually(
        'never healthy',
        async () => {
          throw new Error('gateway answered 502');
        },
        { timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toThrow('never healthy: not within 0.02 s (last: gateway answered 502)');
  });
});
