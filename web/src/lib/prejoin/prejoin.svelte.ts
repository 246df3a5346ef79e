import { mediaProblemMessage, type MediaProblem, classifyMediaError } from '../rtc/media-errors.js';
import { LevelMeter } from './level-meter.js';
import { audioOutputChoices, availableOutput, canChooseAudioOutput, type AudioOutputChoice } from './audio-output.js';
import { checkCallName } from './call-name.js';
import { acquireMedia, listDevices, openTrack, stopStream } from './local-media.js';
import { loadPreferences, savePreferences } from './preferences.js';
import { SpeakerTest } from './speaker-test.js';

/** Everything the call needs from the pre-join screen. */
export interface JoinSettings {
  stream: MediaStream | null;
  micOn: boolean;
  cameraOn: boolean;
  relayOnly: boolean;
  cameraId: string;
  microphoneId: string;
  /** Where the call's sound plays ('' the system default). */
  audioOutputId: string;
  /** The name others see in this call only; undefined keeps the account's. */
  name: string | undefined;
}

/**
 * The pre-join screen: device pickers (camera, microphone, speakers), preview, microphone meter,
 * speaker test, the name for this call, relay-only switch.
 */
export class PrejoinManager {
  cameras = $state<MediaDeviceInfo[]>([]);
  microphones = $state<MediaDeviceInfo[]>([]);
  speakers = $state<AudioOutputChoice[]>([]);
  cameraId = $state('');
  microphoneId = $state('');
  speakerId = $state('');
  /** False where the browser plays sound only on its default output (no setSinkId). */
  readonly canChooseSpeaker = canChooseAudioOutput();
  readonly canTestSpeaker = SpeakerTest.supported();
  speakerTestPlaying = $state(false);
  /** The name field, prefilled with the account's name. */
  name = $state('');
  nameProblem = $state<string | null>(null);
  stream = $state<MediaStream | null>(null);
  problem = $state<MediaProblem | null>(null);
  level = $state(0);
  micOn = $state(true);
  cameraOn = $state(true);
  relayOnly = $state(false);
  starting = $state(true);

  #meter: LevelMeter | null = null;
  readonly #speakerTest = new SpeakerTest((playing) => (this.speakerTestPlaying = playing));
  #accountName = '';
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

  async start(accountName: string): Promise<void> {
    this.#accountName = accountName;
    if (!this.name) this.name = accountName;
    const preferences = loadPreferences(globalThis.localStorage);
    this.cameraId = preferences.cameraId;
    this.microphoneId = preferences.microphoneId;
    this.speakerId = this.canChooseSpeaker ? preferences.speakerId : '';
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
    await this.start(this.#accountName);
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

  selectSpeaker(deviceId: string): void {
    this.speakerId = deviceId;
    this.#remember();
    // A chime that is playing moves to the new output.
    if (this.speakerTestPlaying) void this.#speakerTest.start(deviceId);
  }

  /** "Test speakers": plays the chime through the chosen output, or stops it if it is playing. */
  toggleSpeakerTest(): void {
    if (this.speakerTestPlaying) this.#speakerTest.stop();
    else void this.#speakerTest.start(this.speakerId);
  }

  setName(typed: string): void {
    this.name = typed;
    // Said once the person typed something wrong, cleared as soon as it is right.
    if (this.nameProblem) this.checkName();
  }

  /** Checks the name field; true when the call can be joined with it. */
  checkName(): boolean {
    const checked = checkCallName(this.name, this.#accountName);
    this.nameProblem = checked.ok ? null : checked.problem;
    return checked.ok;
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
    this.#speakerTest.stop();
    const checked = checkCallName(this.name, this.#accountName);
    return {
      audioOutputId: this.speakerId,
      name: checked.ok ? checked.name : undefined,
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
    this.#speakerTest.stop();
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
    const { cameras, microphones, devices } = await listDevices();
    this.cameras = cameras;
    this.microphones = microphones;
    if (this.canChooseSpeaker) {
      this.speakers = audioOutputChoices(devices);
      this.speakerId = availableOutput(this.speakers, this.speakerId);
    }
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
    savePreferences(globalThis.localStorage, { cameraId: this.cameraId, microphoneId: this.microphoneId, speakerId: this.speakerId, relayOnly: this.relayOnly });
  }
}
