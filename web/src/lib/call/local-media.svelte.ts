import type { MediaState } from '@meshcall/shared';
import { LevelMeter } from '../prejoin/level-meter.js';
import { openTrack, stopStream } from '../prejoin/local-media.js';
import type { JoinSettings } from '../prejoin/prejoin.svelte.js';
import { classifyMediaError, mediaProblemMessage } from '../rtc/media-errors.js';

/** Where local tracks come from; the browser's by default, replaceable in unit tests (Node has no devices). */
export interface MediaSources {
  openCamera: (deviceId: string) => Promise<MediaStreamTrack>;
  /** The screen the user picks, or undefined if the picker gave no video. */
  openScreen: () => Promise<MediaStreamTrack | undefined>;
}

export interface LocalMediaHooks {
  /** What we send as video changed (camera, screen or nothing): every link must send it. */
  videoChanged: (track: MediaStreamTrack | null) => Promise<void>;
  /** Mic, camera or screen switched: the others should hear of it. */
  stateChanged: (media: MediaState) => void;
}

const browserSources: MediaSources = {
  openCamera: (deviceId) => openTrack('video', deviceId),
  openScreen: async () => (await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false })).getVideoTracks()[0],
};

/** Our microphone, camera and screen share, and the one stream every link sends from. */
export class LocalMedia {
  media = $state<MediaState>({ audio: false, video: false, screen: false });
  /** What we send as video (camera or screen), for our own tile. */
  localVideo = $state<MediaStreamTrack | null>(null);
  hasMicrophone = $state(false);
  error = $state<string | null>(null);
  /** The one stream all our senders belong to, so receivers group audio and video together. */
  outgoing = new MediaStream();
  #mic: MediaStreamTrack | null = null;
  #camera: MediaStreamTrack | null = null;
  #screen: MediaStreamTrack | null = null;
  #cameraId = '';
  #meter: LevelMeter | null = null;
  #micPeak = 0;
  readonly #hooks: LocalMediaHooks;
  readonly #sources: MediaSources;

  constructor(hooks: LocalMediaHooks, sources: MediaSources = browserSources) {
    this.#hooks = hooks;
    this.#sources = sources;
  }

  get screenSharing(): boolean {
    return this.#screen !== null;
  }

  /** How loud our microphone got since the last reading (0..1), for the active speaker; 0 while muted. */
  takeMicLevel(): number {
    const peak = this.#micPeak;
    this.#micPeak = 0;
    return this.media.audio ? peak : 0;
  }

  /** Starts reading the microphone's loudness (a browser's AudioContext; not in unit tests). */
  measureMicLevel(): void {
    if (this.#mic && !this.#meter) this.#meter = new LevelMeter(this.#mic, (level) => (this.#micPeak = Math.max(this.#micPeak, level)));
  }

  /** Takes over the pre-join's stream and switches. */
  adopt(settings: JoinSettings): void {
    const stream = settings.stream;
    this.#mic = stream?.getAudioTracks()[0] ?? null;
    this.#camera = stream?.getVideoTracks()[0] ?? null;
    this.#cameraId = settings.cameraId;
    if (this.#mic) this.#mic.enabled = settings.micOn;
    if (this.#camera) this.#camera.enabled = settings.cameraOn;
    this.outgoing = new MediaStream([this.#mic, this.#camera].filter((t): t is MediaStreamTrack => t !== null));
    this.hasMicrophone = this.#mic !== null;
    this.localVideo = this.#camera;
    this.media = { audio: settings.micOn && this.#mic !== null, video: settings.cameraOn && this.#camera !== null, screen: false };
  }

  toggleMic(): void {
    if (!this.#mic) return;
    const on = !this.media.audio;
    this.#mic.enabled = on;
    this.#set({ audio: on });
  }

  async toggleCamera(): Promise<void> {
    this.error = null;
    if (this.#camera) {
      const on = !this.media.video;
      this.#camera.enabled = on;
      this.#set({ video: on });
      return;
    }
    // Joined without a camera: open one now; links start sending it (a renegotiation).
    try {
      const track = await this.#sources.openCamera(this.#cameraId);
      this.#camera = track;
      if (!this.#screen) await this.#send(track);
      this.#set({ video: true });
    } catch (error) {
      this.error = mediaProblemMessage(classifyMediaError(error));
    }
  }

  async toggleScreenShare(): Promise<void> {
    this.error = null;
    if (this.#screen) return this.#stopScreenShare();
    let track: MediaStreamTrack | undefined;
    try {
      track = await this.#sources.openScreen();
    } catch (error) {
      // Cancelling the picker is a choice, not an error.
      if (classifyMediaError(error) !== 'denied') this.error = 'Screen sharing could not start.';
      return;
    }
    if (!track) return;
    track.contentHint = 'detail';
    track.onended = () => void this.#stopScreenShare();
    this.#screen = track;
    await this.#send(track);
    this.#set({ screen: true });
  }

  /** Stops every track we opened: camera lights go off. */
  stop(): void {
    this.#meter?.stop();
    this.#meter = null;
    this.#screen?.stop();
    this.#screen = null;
    stopStream(this.outgoing);
    this.#mic?.stop();
    this.#camera?.stop();
    this.#mic = null;
    this.#camera = null;
    this.localVideo = null;
  }

  async #stopScreenShare(): Promise<void> {
    const screen = this.#screen;
    if (!screen) return;
    this.#screen = null;
    screen.onended = null;
    screen.stop();
    await this.#send(this.#camera);
    this.#set({ screen: false });
  }

  async #send(track: MediaStreamTrack | null): Promise<void> {
    for (const old of this.outgoing.getVideoTracks()) this.outgoing.removeTrack(old);
    if (track) this.outgoing.addTrack(track);
    this.localVideo = track;
    await this.#hooks.videoChanged(track);
  }

  #set(change: Partial<MediaState>): void {
    this.media = { ...this.media, ...change };
    this.#hooks.stateChanged(this.media);
  }
}
