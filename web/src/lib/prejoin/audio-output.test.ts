import { describe, expect, it } from 'vitest';
import { audioOutputChoices, availableOutput, canChooseAudioOutput, routeAudio, type AudioSink } from './audio-output.js';

const device = (kind: MediaDeviceKind, deviceId: string, label: string) => ({ kind, deviceId, label, groupId: 'g' }) as MediaDeviceInfo;

/** A media element as far as output routing goes: records every setSinkId and refuses unknown ids. */
class FakeSink implements AudioSink {
  sinkId = '';
  readonly calls: string[] = [];
  constructor(private readonly known: readonly string[]) {}
  setSinkId = async (id: string): Promise<void> => {
    this.calls.push(id);
    if (id !== '' && !this.known.includes(id)) throw new DOMException('Requested device not found', 'NotFoundError');
    this.sinkId = id;
  };
}

describe('audio outputs', () => {
  it('feature-detects setSinkId', () => {
    expect(canChooseAudioOutput({ setSinkId: () => undefined })).toBe(true);
    expect(canChooseAudioOutput({})).toBe(false);
    expect(canChooseAudioOutput(undefined)).toBe(false);
  });

  it('lists the default first and each named output once, never inputs', () => {
    const devices = [
      device('audioinput', 'mic1', 'Microphone'),
      device('audiooutput', 'default', 'Default - Speakers'),
      device('audiooutput', 'spk1', 'Speakers'),
      device('audiooutput', 'hp1', ''),
      device('audiooutput', '', ''),
    ];
    expect(audioOutputChoices(devices)).toEqual([
      { deviceId: '', label: 'System default' },
      { deviceId: 'spk1', label: 'Speakers' },
      { deviceId: 'hp1', label: 'Speaker 2' },
    ]);
  });

  it('falls back to the default when a remembered output is gone', () => {
    const choices = audioOutputChoices([device('audiooutput', 'spk1', 'Speakers')]);
    expect(availableOutput(choices, 'spk1')).toBe('spk1');
    expect(availableOutput(choices, 'unplugged')).toBe('');
  });

  it('routes an element to the chosen output once, and to the default when that output is gone', async () => {
    const element = new FakeSink(['spk1']);
    await routeAudio(element, 'spk1');
    await routeAudio(element, 'spk1');
    expect(element.calls).toEqual(['spk1']);
    expect(element.sinkId).toBe('spk1');

    await routeAudio(element, 'unplugged');
    expect(element.calls).toEqual(['spk1', 'unplugged', '']);
    expect(element.sinkId).toBe('');
  });

  it('does nothing where the browser cannot choose an output', async () => {
    await expect(routeAudio({}, 'spk1')).resolves.toBeUndefined();
  });
});
