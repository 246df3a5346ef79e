import { describe, expect, it } from 'vitest';
import { MIN_HOLD_MS, NO_SPEAKER, SILENCE_MS, nextActiveSpeaker, type SpeakerState } from './active-speaker.js';

const levels = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('nextActiveSpeaker', () => {
  it('picks the loudest voice above the floor, and nobody when all are quiet', () => {
    expect(nextActiveSpeaker(NO_SPEAKER, levels({ bob: 0.2, carol: 0.05 }), 1_000).speakerId).toBe('bob');
    expect(nextActiveSpeaker(NO_SPEAKER, levels({ bob: 0.001, carol: 0 }), 1_000).speakerId).toBeNull();
  });

  it('keeps the speaker through a short pause, and lets the highlight go after a longer silence', () => {
    let state: SpeakerState = nextActiveSpeaker(NO_SPEAKER, levels({ bob: 0.3 }), 0);
    state = nextActiveSpeaker(state, levels({ bob: 0 }), SILENCE_MS - 1);
    expect(state.speakerId).toBe('bob');
    state = nextActiveSpeaker(state, levels({ bob: 0 }), SILENCE_MS);
    expect(state.speakerId).toBeNull();
  });

  it('does not flicker to a louder voice within the hold time, and moves after it', () => {
    let state = nextActiveSpeaker(NO_SPEAKER, levels({ bob: 0.1, carol: 0 }), 0);
    state = nextActiveSpeaker(state, levels({ bob: 0.1, carol: 0.5 }), MIN_HOLD_MS - 1);
    expect(state.speakerId).toBe('bob');
    state = nextActiveSpeaker(state, levels({ bob: 0.1, carol: 0.5 }), MIN_HOLD_MS);
    expect(state.speakerId).toBe('carol');
  });

  it('hands over at once when the speaker stopped and someone else speaks after the hold', () => {
    let state = nextActiveSpeaker(NO_SPEAKER, levels({ bob: 0.1 }), 0);
    state = nextActiveSpeaker(state, levels({ bob: 0, carol: 0.1 }), MIN_HOLD_MS + 100);
    expect(state.speakerId).toBe('carol');
  });

  it('drops a speaker who left the call', () => {
    const state = nextActiveSpeaker(NO_SPEAKER, levels({ bob: 0.1 }), 0);
    expect(nextActiveSpeaker(state, levels({ carol: 0 }), 100).speakerId).toBeNull();
  });
});
