/**
 * Who is speaking, from audio levels sampled a few times a second. The loudest voice above a
 * floor becomes the active speaker; the choice is held briefly so that a cough or a crossing word
 * does not make the highlight flicker, and it lapses after a moment of silence.
 */

/** Linear audio level (0..1, as RTCRtpSynchronizationSource.audioLevel) that counts as a voice. */
export const SPEAKING_LEVEL = 0.02;
/** A new speaker takes over only after the current one has held the highlight this long. */
export const MIN_HOLD_MS = 1_000;
/** The highlight goes once the speaker has been quiet this long (speech has pauses). */
export const SILENCE_MS = 2_000;

export interface SpeakerState {
  speakerId: string | null;
  /** When the current speaker took the highlight. */
  since: number;
  /** When the current speaker was last heard above the floor. */
  lastHeard: number;
}

export const NO_SPEAKER: SpeakerState = { speakerId: null, since: 0, lastHeard: 0 };

export function nextActiveSpeaker(state: SpeakerState, levels: ReadonlyMap<string, number>, now: number): SpeakerState {
  let loudest: string | null = null;
  let loudestLevel = SPEAKING_LEVEL;
  for (const [id, level] of levels) {
    if (level >= loudestLevel) {
      loudest = id;
      loudestLevel = level;
    }
  }
  const current = state.speakerId !== null && levels.has(state.speakerId) ? state.speakerId : null;
  const currentHeard = current !== null && (levels.get(current) ?? 0) >= SPEAKING_LEVEL;
  if (current !== null && currentHeard) {
    const held = now - state.since < MIN_HOLD_MS;
    if (loudest === current || loudest === null || held) return { ...state, lastHeard: now };
    return { speakerId: loudest, since: now, lastHeard: now };
  }
  if (loudest !== null && (current === null || now - state.since >= MIN_HOLD_MS)) return { speakerId: loudest, since: now, lastHeard: now };
  if (current !== null && now - state.lastHeard < SILENCE_MS) return state;
  return NO_SPEAKER;
}
