import type { Issue } from '@meshcall/shared';
import type { UiErrorCode } from './api-error.js';

/** Where an error surfaced: the same code deserves different words on a sign-in form and in a call. */
export type ErrorContext = 'signin' | 'signup' | 'guest' | 'lobby' | 'create-room' | 'join' | 'call' | 'game' | 'chat' | 'general';

const general: Readonly<Record<UiErrorCode, string>> = {
  INVALID_PAYLOAD: 'Some of the information is not valid. Check the highlighted fields.',
  UNAUTHORIZED: 'Your session has ended. Sign in again to continue.',
  INVALID_CREDENTIALS: 'That email and password do not match an account.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'We could not find that.',
  EMAIL_TAKEN: 'An account with this email already exists.',
  WEAK_PASSWORD: 'That password is too easy to guess. Choose another one.',
  CONFLICT: 'That change conflicts with the current state. Reload and try again.',
  ROOM_FULL: 'This room is full: every seat is taken right now.',
  ROOM_LOCKED: 'The owner has locked this room, so nobody new can join.',
  ROOM_QUOTA_REACHED: 'You have as many open rooms as one account may have. Close one you no longer need first.',
  BANNED: 'You were removed from this room. You can join again only if its owner decides to let you back in.',
  GUEST_NOT_ALLOWED: 'Guests can only join the room they were invited to. Create an account to do more.',
  GUESTS_OFF: 'The owner of this room does not let guests in. Sign in or create an account to join.',
  ROOM_CLOSED: 'This room has been closed by its owner.',
  TICKET_INVALID: 'Your seat reservation expired. Join the room again.',
  NOT_IN_ROOM: 'You are no longer in this room. Join it again.',
  PEER_NOT_FOUND: 'That participant has already left.',
  NO_HOST: 'Nobody in the call can let you in right now. Try again once the host is there.',
  KNOCK_NOT_FOUND: 'That request to join is no longer waiting.',
  ILLEGAL_MOVE: 'That move is not allowed: it is not your turn, the cell is taken, or the game is over.',
  PAYLOAD_TOO_LARGE: 'That is too large to send.',
  RATE_LIMITED: 'Too many attempts. Wait a moment and try again.',
  UNAVAILABLE: 'The service is temporarily unavailable. Try again in a moment.',
  BAD_GATEWAY: 'The server is not reachable right now. Try again in a moment.',
  GATEWAY_TIMEOUT: 'The server took too long to answer. Try again in a moment.',
  INTERNAL: 'Something went wrong on our side. Try again in a moment.',
  NETWORK: 'Cannot reach the server. Check your connection and try again.',
  TIMEOUT: 'The server did not answer in time. Try again.',
  BAD_RESPONSE: 'The server answered unexpectedly. Reload the page and try again.',
};

const byContext: Readonly<Partial<Record<ErrorContext, Partial<Record<UiErrorCode, string>>>>> = {
  signin: {
    RATE_LIMITED: 'Too many failed sign-ins. Wait a few minutes before trying again.',
    UNAUTHORIZED: 'That email and password do not match an account.',
  },
  signup: {
    INVALID_PAYLOAD: 'Some fields need attention.',
  },
  guest: {
    INVALID_PAYLOAD: 'Enter a name of 1 to 60 characters.',
    RATE_LIMITED: 'Too many people joined as guests from your network just now. Wait a minute and try again.',
    FORBIDDEN: 'This invite link no longer works. Ask the room’s owner for a new one.',
    NOT_FOUND: 'This invite link does not lead to a room. Check the link or ask the owner for a new one.',
    ROOM_CLOSED: 'This room has been closed by its owner.',
  },
  'create-room': {
    INVALID_PAYLOAD: 'The room could not be created. Check the highlighted fields.',
    CONFLICT: 'The room could not be created with these settings.',
    RATE_LIMITED: 'You are creating rooms too quickly. Wait a while and try again.',
  },
  join: {
    NOT_FOUND: 'This room does not exist, or it is private and needs an invite link.',
    FORBIDDEN: 'This room is private. Ask its owner for an invite link.',
    INVALID_PAYLOAD: 'That invite code is not valid.',
  },
  game: {
    NOT_IN_ROOM: 'Join the room before playing.',
  },
  chat: {
    PAYLOAD_TOO_LARGE: 'That message is too long.',
    RATE_LIMITED: 'You are sending messages too quickly.',
  },
};

/** The sentence to show a user for an error code in a given place. */
export function messageFor(code: UiErrorCode, context: ErrorContext = 'general'): string {
  return byContext[context]?.[code] ?? general[code];
}

/** Codes whose server message is written for the user and carries what only the server knows (its limits, the wait). */
const serverWorded: ReadonlySet<UiErrorCode> = new Set(['ROOM_QUOTA_REACHED', 'RATE_LIMITED']);

/**
 * What the create-room form says when rooms refuses: for the per-account limits the service's own
 * sentence ("at most 50 open rooms", "try again in 7 minutes"), which depends on its configuration;
 * otherwise the form's wording of the code.
 */
export function createRoomErrorMessage(error: { code: UiErrorCode; message: string; status: number }): string {
  if (serverWorded.has(error.code) && error.status > 0 && error.message.trim() !== '') return error.message;
  return messageFor(error.code, 'create-room');
}

/** Names users see for form fields, so "email: must be…" reads "Email must be…". */
const fieldLabels: Readonly<Record<string, string>> = {
  name: 'Name',
  email: 'Email',
  password: 'Password',
  capacity: 'Capacity',
  kind: 'Kind',
  visibility: 'Visibility',
  invite: 'Invite code',
  roomId: 'Room',
};

/**
 * The password length rules in the words of the sign-up form's hint. Auth counts the minimum in
 * characters (code points), whatever an older auth called it; the maximum is bcrypt's 72 bytes of
 * UTF-8, which people cannot count, so it is said in letters with what makes one count for more.
 */
function passwordLengthMessage(serverMessage: string): string | null {
  const minimum = /^must be at least (\d+) (?:characters|bytes)$/.exec(serverMessage);
  if (minimum) return `Password must be at least ${minimum[1]} characters`;
  const maximum = /^must be at most (\d+) bytes/.exec(serverMessage);
  if (maximum) return `Password is too long: at most ${maximum[1]} plain letters, digits or symbols (an accented letter, another alphabet or an emoji counts as 2 to 4)`;
  return null;
}

/**
 * Groups validation issues by their top-level field into one readable message each, for inline
 * errors next to the inputs. Issues on the whole form land under `''`.
 */
export function fieldErrorsFrom(details: readonly Issue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of details) {
    const field = issue.path.split('.')[0] ?? '';
    if (errors[field] !== undefined) continue; // the first problem per field is enough to act on
    const label = fieldLabels[field];
    const reworded = field === 'password' ? passwordLengthMessage(issue.message) : null;
    errors[field] = reworded ?? (label ? `${label} ${lowerFirst(issue.message)}` : capitalize(issue.message));
  }
  return errors;
}

/** Zod issues from a client-side check, in the same shape the server sends. */
export function issuesFromZodLike(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): Issue[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
