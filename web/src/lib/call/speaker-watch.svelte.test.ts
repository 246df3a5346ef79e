import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SpeakerWatch } from './speaker-watch.svelte.js';

describe('SpeakerWatch', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('follows the loudest voice and forgets it when stopped', async () => {
    let levels = new Map([['bob', 0.3], ['carol', 0]]);
    const watch = new SpeakerWatch();
    watch.start(async () => levels, () => Date.now());
    await vi.advanceTimersByTimeAsync(500);
    expect(watch.speakerId).toBe('bob');
    levels = new Map([['bob', 0], ['carol', 0.3]]);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(watch.speakerId).toBe('carol');
    watch.stop();
    expect(watch.speakerId).toBeNull();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(watch.speakerId).toBeNull();
  });
});
