import { routeAudio } from './audio-output.js';

/** One note of the test chime: when it starts and how long it rings, in seconds. */
export interface ToneNote {
  frequency: number;
  start: number;
  duration: number;
}

/** A two-note chime, generated with Web Audio: nothing is downloaded. */
export const TEST_CHIME: readonly ToneNote[] = [
  { frequency: 660, start: 0, duration: 0.35 },
  { frequency: 880, start: 0.4, duration: 0.8 },
];

/** How long the chime lasts, so the button can go back once it has rung out. */
export function chimeSeconds(notes: readonly ToneNote[] = TEST_CHIME): number {
  return Math.max(0, ...notes.map((note) => note.start + note.duration));
}

/** Loud enough to hear, well short of clipping. */
const PEAK_GAIN = 0.25;

/**
 * "Test speakers": plays the chime through the chosen output, the same way the call's remote
 * audio plays (a media element routed with setSinkId), so what is heard is what the call will use.
 * `start` again while it plays restarts it; `stop` ends it at once and frees the audio context.
 */
export class SpeakerTest {
  #context: AudioContext | null = null;
  #element: HTMLAudioElement | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every start and stop, so a start that was overtaken while awaiting gives up. */
  #generation = 0;

  constructor(private readonly onPlayingChange: (playing: boolean) => void) {}

  /** Whether this browser can generate the chime at all. */
  static supported(): boolean {
    return typeof AudioContext !== 'undefined' && typeof Audio !== 'undefined';
  }

  async start(outputId: string): Promise<void> {
    this.stop();
    const generation = this.#generation;
    const context = new AudioContext();
    const destination = context.createMediaStreamDestination();
    const begin = context.currentTime + 0.05;
    for (const note of TEST_CHIME) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = note.frequency;
      gain.gain.setValueAtTime(0, begin + note.start);
      gain.gain.linearRampToValueAtTime(PEAK_GAIN, begin + note.start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.001, begin + note.start + note.duration);
      oscillator.connect(gain).connect(destination);
      oscillator.start(begin + note.start);
      oscillator.stop(begin + note.start + note.duration);
    }
    const element = new Audio();
    element.srcObject = destination.stream;
    this.#context = context;
    this.#element = element;
    this.onPlayingChange(true);
    try {
      await routeAudio(element, outputId);
      if (generation !== this.#generation) return;
      await element.play();
    } catch {
      if (generation === this.#generation) this.stop();
      return;
    }
    if (generation !== this.#generation) return;
    this.#timer = setTimeout(() => this.stop(), (chimeSeconds() + 0.15) * 1000);
  }

  stop(): void {
    this.#generation += 1;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const wasPlaying = this.#context !== null;
    if (this.#element) {
      this.#element.pause();
      this.#element.srcObject = null;
      this.#element = null;
    }
    void this.#context?.close().catch(() => undefined);
    this.#context = null;
    if (wasPlaying) this.onPlayingChange(false);
  }
}
