import { audioLevel, smoothLevel } from '../rtc/audio-level.js';

/** Reads a microphone track's loudness every animation frame and reports 0..1. */
export class LevelMeter {
  readonly #context: AudioContext;
  readonly #analyser: AnalyserNode;
  readonly #source: MediaStreamAudioSourceNode;
  readonly #buffer: Uint8Array<ArrayBuffer>;
  #frame = 0;
  #level = 0;

  constructor(track: MediaStreamTrack, onLevel: (level: number) => void) {
    this.#context = new AudioContext();
    this.#analyser = this.#context.createAnalyser();
    this.#analyser.fftSize = 512;
    this.#buffer = new Uint8Array(this.#analyser.fftSize);
    this.#source = this.#context.createMediaStreamSource(new MediaStream([track]));
    this.#source.connect(this.#analyser);
    const read = () => {
      this.#analyser.getByteTimeDomainData(this.#buffer);
      this.#level = smoothLevel(this.#level, track.enabled ? audioLevel(this.#buffer) : 0);
      onLevel(this.#level);
      this.#frame = requestAnimationFrame(read);
    };
    this.#frame = requestAnimationFrame(read);
  }

  /** Browsers start audio suspended until a user gesture; call from one. */
  resume(): void {
    if (this.#context.state === 'suspended') void this.#context.resume().catch(() => undefined);
  }

  stop(): void {
    cancelAnimationFrame(this.#frame);
    this.#source.disconnect();
    void this.#context.close().catch(() => undefined);
  }
}
