import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SpeakerTest, TEST_CHIME, chimeSeconds } from './speaker-test.js';

// Web Audio and media elements do not exist in Node: these fakes record what the class asks of
// them (the real ones are exercised in Chromium by e2e/devices.e2e.test.ts).
class FakeParam {
  setValueAtTime = vi.fn();
  linearRampToValueAtTime = vi.fn();
  exponentialRampToValueAtTime = vi.fn();
}
class FakeNode {
  connect = (next: FakeNode) => next;
}
class FakeOscillator extends FakeNode {
  frequency = { value: 0 };
  start = vi.fn();
  stop = vi.fn();
}
const contexts: FakeAudioContext[] = [];
class FakeAudioContext {
  currentTime = 0;
  closed = false;
  oscillators: FakeOscillator[] = [];
  constructor() {
    contexts.push(this);
  }
  createMediaStreamDestination = () => Object.assign(new FakeNode(), { stream: { id: 'chime' } });
  createOscillator = () => {
    const oscillator = new FakeOscillator();
    this.oscillators.push(oscillator);
    return oscillator;
  };
  createGain = () => Object.assign(new FakeNode(), { gain: new FakeParam() });
  close = async () => {
    this.closed = true;
  };
}
const elements: FakeAudio[] = [];
class FakeAudio {
  sinkId = '';
  srcObject: unknown = null;
  paused = true;
  constructor() {
    elements.push(this);
  }
  setSinkId = async (id: string) => {
    this.sinkId = id;
  };
  play = async () => {
    this.paused = false;
  };
  pause = () => {
    this.paused = true;
  };
}

describe('SpeakerTest', () => {
  let states: boolean[];
  let test: SpeakerTest;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('AudioContext', FakeAudioContext);
    vi.stubGlobal('Audio', FakeAudio);
    contexts.length = 0;
    elements.length = 0;
    states = [];
    test = new SpeakerTest((playing) => states.push(playing));
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('plays the generated chime through the chosen output, then says it stopped and frees the audio', async () => {
    await test.start('spk1');
    expect(states).toEqual([true]);
    expect(elements[0]).toMatchObject({ sinkId: 'spk1', paused: false, srcObject: { id: 'chime' } });
    expect(contexts[0]?.oscillators.map((o) => o.frequency.value)).toEqual(TEST_CHIME.map((note) => note.frequency));

    await vi.advanceTimersByTimeAsync(chimeSeconds() * 1000 - 100);
    expect(states).toEqual([true]);
    await vi.advanceTimersByTimeAsync(300);
    expect(states).toEqual([true, false]);
    expect(contexts[0]?.closed).toBe(true);
    expect(elements[0]).toMatchObject({ paused: true, srcObject: null });
  });

  it('stops at once when asked (pressed again, page left), and a second stop changes nothing', async () => {
    await test.start('');
    test.stop();
    test.stop();
    expect(states).toEqual([true, false]);
    expect(contexts[0]?.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(states).toEqual([true, false]);
  });

  it('a start overtaken by a stop while choosing the output does not play', async () => {
    const starting = test.start('spk1');
    test.stop();
    await starting;
    expect(elements[0]?.paused).toBe(true);
    expect(states).toEqual([true, false]);
  });
});
