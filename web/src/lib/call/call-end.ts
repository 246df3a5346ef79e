import type { RemovalReason } from '@meshcall/shared';
import type { UiErrorCode } from '../api/api-error.js';
import { messageFor } from '../api/error-messages.js';

/** Why a call is not (or no longer) running; each has its own screen. */
export type EndReason =
  | 'left'
  | 'kicked'
  | 'removed'
  | 'banned'
  | 'seat-lost'
  | 'joined-elsewhere'
  | 'closed'
  | 'ended'
  | 'full'
  | 'locked'
  | 'not-found'
  | 'forbidden'
  | 'guests-off'
  | 'signed-out'
  | 'unreachable'
  | 'error';

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
  BANNED: 'banned',
  NOT_FOUND: 'not-found',
  FORBIDDEN: 'forbidden',
  GUEST_NOT_ALLOWED: 'forbidden',
  GUESTS_OFF: 'guests-off',
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
  removed: 'You are no longer invited',
  banned: 'You were removed from this room',
  'seat-lost': 'You were disconnected from the call',
  'joined-elsewhere': 'You joined from another tab',
  closed: 'This room is closed',
  ended: 'The call has ended',
  full: 'This room is full',
  locked: 'This room is locked',
  'not-found': 'Room not found',
  forbidden: 'You need an invite',
  'guests-off': 'Guests can’t join this room',
  'signed-out': 'You are signed out',
  unreachable: 'Cannot reach the server',
  error: 'Something went wrong',
};

/** `joined-elsewhere` can be retried: joining here again moves the seat back to this tab. */
const retryable: ReadonlySet<EndReason> = new Set(['left', 'ended', 'seat-lost', 'joined-elsewhere', 'full', 'locked', 'unreachable', 'error']);

/** The end of a call caused by a refused join or a failed request. */
export function endFromError(code: UiErrorCode): CallEnd {
  const reason = reasonOfCode[code] ?? 'error';
  return { reason, title: titles[reason], message: messageFor(code, 'join'), canRetry: retryable.has(reason) };
}

const messages: Partial<Record<EndReason, string>> = {
  left: 'You can rejoin while the room is open.',
  kicked: 'The host removed you from this call. You cannot join this room again unless the room’s owner lets you back in.',
  removed: 'The room’s owner took back your invitation, so you are no longer in this call.',
  'seat-lost': 'The call server no longer held your place in this call, usually after a long loss of connection. Join again to get back in.',
  'joined-elsewhere': 'You joined this call from another tab or device, so it continues there. Join here to move it back.',
  closed: 'The owner closed this room, so the call is over.',
  ended: 'The host ended the call for everyone. The room and its link stay: join again to start the next call.',
};

/** What the button that goes back into the room says on each end screen that has one. */
export function rejoinLabel(reason: EndReason): string {
  if (reason === 'left') return 'Rejoin';
  if (reason === 'ended') return 'Join again';
  if (reason === 'joined-elsewhere') return 'Join here';
  return 'Try again';
}

/** The end of a call for a reason the app itself knows (the user left, the session ended, …). */
export function endFor(reason: EndReason): CallEnd {
  const message = messages[reason] ?? messageFor(reason === 'signed-out' ? 'UNAUTHORIZED' : 'INTERNAL');
  return { reason, title: titles[reason], message, canRetry: retryable.has(reason) };
}

/**
 * `room:kicked` carries a code from the shared RemovalReason, not words for people: `kicked` (by
 * the owner), `uninvited` (the invitation taken back), `removed` (the server found the seat gone).
 * Each has its screen here, and a code added to the contract fails to compile until it has one. A
 * code from a newer server still ends the call as a removal, and is never shown.
 */
const removalReasons: Readonly<Record<RemovalReason, EndReason>> = {
  kicked: 'kicked',
  uninvited: 'removed',
  removed: 'seat-lost',
};

/** The end of a call the server ended with `room:kicked { reason: code }`. */
export function endOfRemoval(code: string): CallEnd {
  return endFor(Object.hasOwn(removalReasons, code) ? removalReasons[code as RemovalReason] : 'kicked');
}
