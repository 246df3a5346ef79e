import { describe, expect, it } from 'vitest';
import { planReplay, type MailboxEntry } from './replay-plan.js';

const entries = (from: number, to: number): MailboxEntry[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, message: { from: 'peer-aaaaaaaa', candidate: null } }));

describe('planReplay', () => {
  it('replays exactly the signals after the last one the client saw, in order', () => {
    const plan = planReplay([...entries(5, 9)].reverse(), 9, 6);
    expect(plan.resync).toBe(false);
    expect(plan.replay.map((e) => e.seq)).toEqual([7, 8, 9]);
  });

  it('replays nothing when the client saw everything', () => {
    expect(planReplay(entries(1, 4), 4, 4)).toEqual({ replay: [], resync: false, deliveredSeq: 4 });
  });

  it('asks for a resync when the mailbox no longer holds everything that was missed', () => {
    // Kept 6..9, but the client last saw 3: 4 and 5 are lost.
    expect(planReplay(entries(6, 9), 9, 3)).toEqual({ replay: [], resync: true, deliveredSeq: 9 });
  });

  it('asks for a resync when nobody knows what the client saw, unless nothing was ever sent', () => {
    expect(planReplay(entries(1, 2), 2, undefined).resync).toBe(true);
    expect(planReplay([], 0, undefined).resync).toBe(false);
  });

  it('asks for a resync when the client claims more than was ever sent (the counter was lost)', () => {
    expect(planReplay(entries(1, 2), 2, 7).resync).toBe(true);
  });
});
