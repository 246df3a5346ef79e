import { describe, expect, it } from 'vitest';
import { loadPreferences, savePreferences } from './preferences.js';

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
    data,
  };
}

describe('media preferences', () => {
  it('round-trips device choices and the relay switch', () => {
    const storage = memoryStorage();
    savePreferences(storage, { cameraId: 'cam-1', microphoneId: 'mic-2', speakerId: 'spk-3', relayOnly: true });
    expect(loadPreferences(storage)).toEqual({ cameraId: 'cam-1', microphoneId: 'mic-2', speakerId: 'spk-3', relayOnly: true });
  });

  it('falls back to defaults for missing, corrupt or tampered data', () => {
    const storage = memoryStorage();
    expect(loadPreferences(storage)).toEqual({ cameraId: '', microphoneId: '', speakerId: '', relayOnly: false });
    // Choices saved before the speaker picker existed still load.
    storage.data.set('meshcall.media-preferences', JSON.stringify({ cameraId: 'c', microphoneId: 'm', relayOnly: true }));
    expect(loadPreferences(storage)).toEqual({ cameraId: 'c', microphoneId: 'm', speakerId: '', relayOnly: true });
    storage.data.set('meshcall.media-preferences', '{not json');
    expect(loadPreferences(storage).relayOnly).toBe(false);
    storage.data.set('meshcall.media-preferences', JSON.stringify({ relayOnly: 'yes please' }));
    expect(loadPreferences(storage).relayOnly).toBe(false);
    expect(loadPreferences(undefined).cameraId).toBe('');
  });

  it('stores nothing but the four preferences (never the name chosen for a call)', () => {
    const storage = memoryStorage();
    savePreferences(storage, { cameraId: 'c', microphoneId: 'm', speakerId: 's', relayOnly: false });
    expect(Object.keys(JSON.parse(storage.data.get('meshcall.media-preferences') ?? '{}')).sort()).toEqual(['cameraId', 'microphoneId', 'relayOnly', 'speakerId']);
  });
});
