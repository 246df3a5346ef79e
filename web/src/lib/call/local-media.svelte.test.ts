import type { MediaState } from '@meshcall/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinSettings } from '../prejoin/prejoin.svelte.js';
import { LocalMedia, type MediaSources } from './local-media.svelte.js';

// Node has neither devices nor MediaStream: tracks and the stream are the few members LocalMedia
// uses. Real devices are covered by the browser e2e suite (fake camera, microphone and screen).
class FakeTrack {
  enabled = true;
  stopped = false;
  contentHint = '';
  onended: (() => void) | null = null;
  constructor(
    readonly kind: 'audio' | 'video',
    readonly label: string,
  ) {}
  stop() {
    this.stopped = true;
  }
}
class FakeStream {
  #tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.#tracks = [...tracks];
  }
  getTracks() {
    return [...this.#tracks];
  }
  getAudioTracks() {
    return this.#tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks() {
    return this.#tracks.filter((t) => t.kind === 'video');
  }
  addTrack(track: FakeTrack) {
    this.#tracks.push(track);
  }
  removeTrack(track: FakeTrack) {
    this.#tracks = this.#tracks.filter((t) => t !== track);
  }
}

const original = globalThis.MediaStream;
beforeAll(() => {
  globalThis.MediaStream = FakeStream as unknown as typeof MediaStream;
});
afterAll(() => {
  globalThis.MediaStream = original;
});

const asTrack = (track: FakeTrack) => track as unknown as MediaStreamTrack;

function localMedia(sources: Partial<MediaSources> = {}) {
  const sent: (MediaStreamTrack | null)[] = [];
  const announced: MediaState[] = [];
  const media = new LocalMedia(
    {
      videoChanged: async (track) => void sent.push(track),
      stateChanged: (state) => void announced.push(state),
    },
    {
      openCamera: async () => asTrack(new FakeTrack('video', 'late camera')),
      openScreen: async () => asTrack(new FakeTrack('video', 'screen')),
      ...sources,
    },
  );
  return { media, sent, announced };
}

function settings(tracks: FakeTrack[], on: { mic: boolean; camera: boolean }): JoinSettings {
  return { stream: new FakeStream(tracks) as unknown as MediaStream, micOn: on.mic, cameraOn: on.camera, cameraId: 'cam-1', microphoneId: 'mic-1', audioOutputId: '', name: undefined, relayOnly: false };
}

describe('LocalMedia', () => {
  it('takes the pre-join’s tracks and switches, and toggles the microphone', () => {
    const mic = new FakeTrack('audio', 'mic');
    const camera = new FakeTrack('video', 'camera');
    const { media, announced } = localMedia();
    media.adopt(settings([mic, camera], { mic: false, camera: true }));
    expect(media.media).toEqual({ audio: false, video: true, screen: false });
    expect(mic.enabled).toBe(false);
    expect(media.hasMicrophone).toBe(true);
    media.toggleMic();
    expect(mic.enabled).toBe(true);
    expect(announced).toEqual([{ audio: true, video: true, screen: false }]);
  });

  it('shares a screen instead of the camera, and goes back to the camera when the share ends', async () => {
    const camera = new FakeTrack('video', 'camera');
    const { media, sent, announced } = localMedia();
    media.adopt(settings([camera], { mic: false, camera: true }));
    await media.toggleScreenShare();
    expect(media.screenSharing).toBe(true);
    expect((sent[0] as unknown as FakeTrack).label).toBe('screen');
    expect(media.outgoing.getVideoTracks().map((t) => t.label)).toEqual(['screen']);
    expect(announced.at(-1)).toEqual({ audio: false, video: true, screen: true });
    // The browser's own "Stop sharing" button ends the track.
    const screen = sent[0] as unknown as FakeTrack;
    screen.onended?.();
    await Promise.resolve();
    await Promise.resolve();
    expect(screen.stopped).toBe(true);
    expect(sent.at(-1)).toBe(asTrack(camera));
    expect(media.localVideo).toBe(asTrack(camera));
    expect(announced.at(-1)).toEqual({ audio: false, video: true, screen: false });
  });

  it('does not call a cancelled screen picker an error', async () => {
    const denied = Object.assign(new Error('cancelled'), { name: 'NotAllowedError' });
    const { media, sent } = localMedia({ openScreen: () => Promise.reject(denied) });
    media.adopt(settings([], { mic: false, camera: false }));
    await media.toggleScreenShare();
    expect(media.error).toBeNull();
    expect(sent).toEqual([]);
  });

  it('opens a camera for someone who joined without one, and says why when it cannot', async () => {
    const { media, sent } = localMedia();
    media.adopt(settings([], { mic: false, camera: false }));
    await media.toggleCamera();
    expect(media.media.video).toBe(true);
    expect((sent[0] as unknown as FakeTrack).label).toBe('late camera');

    const busy = Object.assign(new Error('busy'), { name: 'NotReadableError' });
    const failing = localMedia({ openCamera: () => Promise.reject(busy) });
    failing.media.adopt(settings([], { mic: false, camera: false }));
    await failing.media.toggleCamera();
    expect(failing.media.media.video).toBe(false);
    expect(failing.media.error).toMatch(/\w/);
  });

  it('stops every track when the call ends', async () => {
    const mic = new FakeTrack('audio', 'mic');
    const camera = new FakeTrack('video', 'camera');
    const { media, sent } = localMedia();
    media.adopt(settings([mic, camera], { mic: true, camera: true }));
    await media.toggleScreenShare();
    media.stop();
    expect([mic.stopped, camera.stopped, (sent[0] as unknown as FakeTrack).stopped]).toEqual([true, true, true]);
    expect(media.localVideo).toBeNull();
  });
});
