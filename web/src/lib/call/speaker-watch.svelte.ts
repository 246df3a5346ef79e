import { NO_SPEAKER, nextActiveSpeaker, type SpeakerState } from '../rtc/active-speaker.js';

/** Levels are read this often: each reading covers the energy since the last, so none is missed. */
const SAMPLE_INTERVAL_MS = 500;

/** Follows who is speaking (our own id included) for the highlight on their tile. */
export class SpeakerWatch {
  speakerId = $state<string | null>(null);
  #state: SpeakerState = NO_SPEAKER;
  #timer: ReturnType<typeof setInterval> | null = null;
  #reading = false;

  /** Samples `levels` (peer id → 0..1) until stopped; a slow reading is not overlapped. */
  start(levels: () => Promise<ReadonlyMap<string, number>>, now: () => number = Date.now): void {
    this.stop();
    const timer = setInterval(() => {
      if (this.#reading) return;
      this.#reading = true;
      void levels()
        .then((sampled) => {
          if (this.#timer !== timer) return;
          this.#state = nextActiveSpeaker(this.#state, sampled, now());
          if (this.speakerId !== this.#state.speakerId) this.speakerId = this.#state.speakerId;
        })
        .catch(() => undefined)
        .finally(() => (this.#reading = false));
    }, SAMPLE_INTERVAL_MS);
    this.#timer = timer;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#reading = false;
    this.#state = NO_SPEAKER;
    this.speakerId = null;
  }
}
