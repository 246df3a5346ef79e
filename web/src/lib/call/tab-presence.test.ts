import { describe, expect, it } from 'vitest';
import { answerAsInCall, inCallInAnotherTab } from './tab-presence.js';

// Node's BroadcastChannel is the same API the browser has; each channel object stands for a tab.
describe('tab presence', () => {
  it('finds a tab that is in the same room’s call, and only that room’s', async () => {
    const stop = answerAsInCall('room-one');
    try {
      expect(await inCallInAnotherTab('room-one')).toBe(true);
      expect(await inCallInAnotherTab('room-two', 100)).toBe(false);
    } finally {
      stop();
    }
  });

  it('finds nobody once the call in the other tab ended', async () => {
    answerAsInCall('room-one')();
    expect(await inCallInAnotherTab('room-one', 100)).toBe(false);
  });
});
