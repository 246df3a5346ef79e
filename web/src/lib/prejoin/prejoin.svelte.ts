import { mediaProblemMessage, type MediaProblem, classifyMediaError } from '../rtc/media-errors.js';
import { LevelMeter } from './level-meter.js';
import { acquireMedia, listDevices, openTrack, stopStream } from './local-media.js';
import { loadPreferences, savePreferences } from './preferences.js';

/** Everything the call needs from the pre-join screen. */
export interface JoinSettings {
  stream: MediaStream | null;
  micOn: boolean;
  cameraOn: boolean;
  relayOnly: boolean;
  cameraId: string;
  microphoneId: string;
}

/** The pre-join screen: device pickers, preview, microphone meter, relay-only switch. */
export class PrejoinManager {
  cameras = $state<MediaDeviceInfo[]>([]);
  microphones = $state<MediaDeviceInfo[]>([]);
  cameraId = $state('');
  microphoneId = $state('');
  stream = $state<MediaStream | null>(null);
  problem = $state<MediaProblem | null>(null);
  level = $state(0);
  micOn = $state(true);
  cameraOn = $state(true);
  relayOnly = $state(false);
  starting = $state(true);

  #meter: LevelMeter | null = null;
  #handedOver = false;
  #destroyed = false;
  readonly #onDeviceChange = () => void this.#refreshDevices();

  get problemMessage(): string | null {
    return this.problem ? mediaProblemMessage(this.problem) : null;
  }

  get hasVideo(): boolean {
    return (this.stream?.getVideoTracks().length ?? 0) > 0;
  }

  get hasAudio(): boolean {
    return (this.stream?.getAudioTracks().length ?? 0) > 0;
  }

  async start(): Promise<void> {
    const preferences = loadPreferences(globalThis.localStorage);
    this.cameraId = preferences.cameraId;
    this.microphoneId = preferences.microphoneId;
    this.relayOnly = preferences.relayOnly;
    this.starting = true;
    let acquired = await acquireMedia(this.cameraId, this.microphoneId);
    // A remembered device may be gone: try the defaults before reporting a problem.
    if (!acquired.stream && (this.cameraId || this.microphoneId)) acquired = await acquireMedia('', '');
    if (this.#destroyed) {
      stopStream(acquired.stream);
      return;
    }
    this.stream = acquired.stream;
    this.problem = acquired.problem;
    this.starting = false;
    this.#startMeter();
    await this.#refreshDevices();
    navigator.mediaDevices?.addEventListener('devicechange', this.#onDeviceChange);
  }

  async retry(): Promise<void> {
    this.#stopMeter();
    stopStream(this.stream);
    this.stream = null;
    navigator.mediaDevices?.removeEventListener('devicechange', this.#onDeviceChange);
    await this.start();
  }

  async selectCamera(deviceId: string): Promise<void> {
    this.cameraId = deviceId;
    await this.#swap('video', deviceId);
    this.#remember();
  }

  async selectMicrophone(deviceId: string): Promise<void> {
    this.microphoneId = deviceId;
    this.#meter?.resume();
    await this.#swap('audio', deviceId);
    this.#startMeter();
    this.#remember();
  }

  setMicOn(on: boolean): void {
    this.micOn = on;
    this.#meter?.resume();
    for (const track of this.stream?.getAudioTracks() ?? []) track.enabled = on;
  }

  setCameraOn(on: boolean): void {
    this.cameraOn = on;
    for (const track of this.stream?.getVideoTracks() ?? []) track.enabled = on;
  }

  setRelayOnly(on: boolean): void {
    this.relayOnly = on;
    this.#remember();
  }

  /** Gives the running tracks to the call; after this, destroy() leaves them running. */
  handOver(): JoinSettings {
    this.#handedOver = true;
    this.#stopMeter();
    return {
      stream: this.stream,
      micOn: this.micOn && this.hasAudio,
      cameraOn: this.cameraOn && this.hasVideo,
      relayOnly: this.relayOnly,
      cameraId: this.cameraId,
      microphoneId: this.microphoneId,
    };
  }

  destroy(): void {
    this.#destroyed = true;
    this.#stopMeter();
    navigator.mediaDevices?.removeEventListener('devicechange', this.#onDeviceChange);
    if (!this.#handedOver) stopStream(this.stream);
  }

  async #swap(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    const stream = this.stream ?? new MediaStream();
    let track: MediaStreamTrack;
    try {
      track = await openTrack(kind, deviceId);
    } catch (error) {
      this.problem = classifyMediaError(error);
      return;
    }
    for (const old of kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks()) {
      old.stop();
      stream.removeTrack(old);
    }
    track.enabled = kind === 'audio' ? this.micOn : this.cameraOn;
    stream.addTrack(track);
    this.problem = null;
    // A new MediaStream object so the preview element notices the change.
    this.stream = new MediaStream(stream.getTracks());
  }

  async #refreshDevices(): Promise<void> {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const { cameras, microphones } = await listDevices();
    this.cameras = cameras;
    this.microphones = microphones;
    const videoId = this.stream?.getVideoTracks()[0]?.getSettings().deviceId;
    const audioId = this.stream?.getAudioTracks()[0]?.getSettings().deviceId;
    if (videoId) this.cameraId = videoId;
    if (audioId) this.microphoneId = audioId;
  }

  #startMeter(): void {
    this.#stopMeter();
    const track = this.stream?.getAudioTracks()[0];
    if (!track || typeof AudioContext === 'undefined') return;
    this.#meter = new LevelMeter(track, (level) => (this.level = level));
  }

  #stopMeter(): void {
    this.#meter?.stop();
    this.#meter = null;
    this.level = 0;
  }

  #remember(): void {
    savePreferences(globalThis.localStorage, { cameraId: this.cameraId, microphoneId: this.microphoneId, relayOnly: this.relayOnly });
  }
}
