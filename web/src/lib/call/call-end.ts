import type { UiErrorCode } from '../api/api-error.js';
import { messageFor } from '../api/error-messages.js';

/** Why a call is not (or no longer) running; each has its own screen. */
export type EndReason = 'left' | 'kicked' | 'closed' | 'full' | 'locked' | 'not-found' | 'forbidden' | 'signed-out' | 'unreachable' | 'error';

export interface CallEnd {
  reason: EndReason;
  title: string;
  message: string;
  /** Whether trying again can help (a full room may free up; a closed one will not reopen). */
  canRetry: boolean;
}

const reasonOfCode: Partial<Record<UiErrorCode, EndReason>> = {
  ROOM_FULL: 'full',
  ROOM_LOCKED: 'locked',
  ROOM_CLOSED: 'closed',
  NOT_FOUND: 'not-found',
  FORBIDDEN: 'forbidden',
  UNAUTHORIZED: 'signed-out',
  NETWORK: 'unreachable',
  TIMEOUT: 'unreachable',
  BAD_GATEWAY: 'unreachable',
  UNAVAILABLE: 'unreachable',
  GATEWAY_TIMEOUT: 'unreachable',
};

const titles: Readonly<Record<EndReason, string>> = {
  left: 'You left the call',
  kicked: 'You were removed from the call',
  closed: 'This room is closed',
  full: 'This room is full',
  locked: 'This room is locked',
  'not-found': 'Room not found',
  forbidden: 'You need an invite',
  'signed-out': 'You are signed out',
  unreachable: 'Cannot reach the server',
  error: 'Something went wrong',
};

const retryable: ReadonlySet<EndReason> = new Set(['left', 'full', 'locked', 'unreachable', 'error']);

/** The end of a call caused by a refused join or a failed request. */
export function endFromError(code: UiErrorCode): CallEnd {
  const reason = reasonOfCode[code] ?? 'error';
  return { reason, title: titles[reason], message: messageFor(code, 'join'), canRetry: retryable.has(reason) };
}

/** The end of a call for a reason the server or the user gave. */
export function endFor(reason: EndReason, detail?: string): CallEnd {
  const defaults: Partial<Record<EndReason, string>> = {
    left: 'You can rejoin while the room is open.',
    kicked: 'The room’s owner removed you from this call.',
    closed: 'The owner closed this room, so the call is over.',
  };
  const base = defaults[reason] ?? messageFor(reason === 'signed-out' ? 'UNAUTHORIZED' : 'INTERNAL');
  const message = detail && detail.trim() !== '' ? `${base} Reason given: “${detail.trim()}”` : base;
  return { reason, title: titles[reason], message, canRetry: retryable.has(reason) };
}
