import { z } from 'zod';

/**
 * Device choices remembered between visits. Nothing here is sensitive (no tokens, no names):
 * device ids are already per-origin and the relay switch is a preference.
 */
const preferencesSchema = z.object({
  cameraId: z.string().max(256).default(''),
  microphoneId: z.string().max(256).default(''),
  /** The audio output ('' the system default); used only where the browser can choose one. */
  speakerId: z.string().max(256).default(''),
  relayOnly: z.boolean().default(false),
});
export type MediaPreferences = z.infer<typeof preferencesSchema>;

const STORAGE_KEY = 'meshcall.media-preferences';

export function loadPreferences(storage: Pick<Storage, 'getItem'> | undefined): MediaPreferences {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    const parsed = preferencesSchema.safeParse(raw ? JSON.parse(raw) : {});
    if (parsed.success) return parsed.data;
  } catch {
    // Corrupt or blocked storage: fall back to defaults.
  }
  return preferencesSchema.parse({});
}

export function savePreferences(storage: Pick<Storage, 'setItem'> | undefined, preferences: MediaPreferences): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(preferences));
  } catch {
    // Private mode or quota: remembering is a convenience only.
  }
}
