/** Why the browser would not give us a camera or microphone, in terms the UI can explain. */
export type MediaProblem = 'denied' | 'no-device' | 'in-use' | 'constraints' | 'insecure' | 'unsupported' | 'unknown';

/** Classifies what getUserMedia/getDisplayMedia threw (a DOMException, by name). */
export function classifyMediaError(error: unknown): MediaProblem {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
      return 'no-device';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'in-use';
    case 'OverconstrainedError':
    case 'ConstraintNotSatisfiedError':
      return 'constraints';
    case 'TypeError':
      return 'unsupported';
    default:
      return 'unknown';
  }
}

const problemMessages: Readonly<Record<MediaProblem, string>> = {
  denied: 'Camera and microphone access is blocked. Allow it in your browser’s site settings (the icon next to the address), then try again.',
  'no-device': 'No camera or microphone was found. Connect one and try again, or join without them.',
  'in-use': 'Your camera or microphone is in use by another application. Close it and try again.',
  constraints: 'The selected device cannot be used with these settings. Pick another device.',
  insecure: 'Camera and microphone need a secure (https) connection.',
  unsupported: 'This browser does not support camera and microphone access.',
  unknown: 'The camera or microphone could not be started.',
};

export function mediaProblemMessage(problem: MediaProblem): string {
  return problemMessages[problem];
}

/**
 * What the user refused or lacks can also be partial: with no camera we still try the microphone
 * alone. Returns which kinds to request next after a failure, or null when nothing is left.
 */
export function fallbackRequest(requested: { audio: boolean; video: boolean }, problem: MediaProblem): { audio: boolean; video: boolean } | null {
  if (problem !== 'no-device' && problem !== 'in-use' && problem !== 'constraints') return null;
  if (requested.audio && requested.video) return { audio: true, video: false };
  return null;
}
