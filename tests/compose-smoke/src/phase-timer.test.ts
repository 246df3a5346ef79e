import { describe, expect, it } from 'vitest';
import { PhaseTimer } from './phase-timer.js';

/** A clock that moves only when told, so the recorded durations are known exactly. */
function steppedClock(stepsMs: number[]): () => number {
  let now = 0;
  let call = 0;
  return () => {
    const value = now;
    now += call % 2 === 0 ? (stepsMs[call / 2] ?? 0) : 0;
    call += 1;
    return value;
  };
}

describe('PhaseTimer', () => {
  it('records each phase with its duration and outcome, failed ones included', async () => {
    const timer = new PhaseTimer(steppedClock([1_234, 5_000]));
    await expect(timer.time('build', async () => 'built')).resolves.toBe('built');
    await expect(
      timer.time('up', async () => {
        throw new Error('port taken');
      }),
    ).rejects.toThrow('port taken');
    expect(timer.records).toEqual([
      { phase: 'build', seconds: 1.23, outcome: 'passed' },
      { phase: 'up', seconds: 5, outcome: 'failed' },
    ]);
  });

  it('prints one line a phase and the total', async () => {
    const timer = new PhaseTimer(steppedClock([1_500, 2_250]));
    await timer.time('build images', async () => undefined);
    await timer.time('down -v', async () => undefined);
    expect(timer.table().split('\n')).toEqual(['build images      1.50 s', 'down -v           2.25 s', 'total             3.75 s']);
  });
});
