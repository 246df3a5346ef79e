import { z } from 'zod';

/**
 * The one catalogue of error codes. HTTP bodies (`{ error: { code, message, details? } }`) and
 * socket acknowledgements (`{ ok: false, error: { code, message } }`) only ever carry these.
 * Codes are stable: clients branch on them, so rename none.
 */
export const ErrorCode = {
  /** The request body, query, params or event payload failed schema validation. */
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  /** Missing, malformed, expired or forged access token. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** Sign-in with an unknown email or a wrong password (deliberately indistinguishable). */
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  /** Authenticated, but not allowed to do this (not the owner, foreign Origin, private room). */
  FORBIDDEN: 'FORBIDDEN',
  /** No such resource, or one the caller may not know exists. */
  NOT_FOUND: 'NOT_FOUND',
  /** Sign-up with an email that already has an account. */
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  /**
   * Sign-up with a password that is too easy to guess: a common or breached one, the email or name,
   * or only spaces. `details` names the field and says which rule it broke.
   */
  WEAK_PASSWORD: 'WEAK_PASSWORD',
  /** The change conflicts with current state (for example capacity below current occupancy). */
  CONFLICT: 'CONFLICT',
  /** The account already has as many open rooms as one account may; close one first. */
  ROOM_QUOTA_REACHED: 'ROOM_QUOTA_REACHED',
  /** The room's owner removed this account from the room; it stays out until the owner lets it back in. */
  BANNED: 'BANNED',
  /** Every seat of the room is taken. */
  ROOM_FULL: 'ROOM_FULL',
  /** The owner locked the room; nobody new may join. */
  ROOM_LOCKED: 'ROOM_LOCKED',
  /** The room was closed by its owner. */
  ROOM_CLOSED: 'ROOM_CLOSED',
  /** A guest token was used for something only an account may do (create rooms, my rooms, another room). */
  GUEST_NOT_ALLOWED: 'GUEST_NOT_ALLOWED',
  /** The room's owner does not let guests in (guest access is off). */
  GUESTS_OFF: 'GUESTS_OFF',
  /** The join ticket is missing, forged, expired or for another user. */
  TICKET_INVALID: 'TICKET_INVALID',
  /** The socket sent a room event before joining a room. */
  NOT_IN_ROOM: 'NOT_IN_ROOM',
  /** The addressed peer is not in the sender's room. */
  PEER_NOT_FOUND: 'PEER_NOT_FOUND',
  /** A knock on a locked room with nobody in the call who may let the knocker in (no host). */
  NO_HOST: 'NO_HOST',
  /** The request to join being answered is no longer waiting (cancelled, timed out, answered). */
  KNOCK_NOT_FOUND: 'KNOCK_NOT_FOUND',
  /** A tic-tac-toe move out of turn, on a taken cell, after the game ended, or by a spectator. */
  ILLEGAL_MOVE: 'ILLEGAL_MOVE',
  /** The body is larger than the endpoint accepts. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** Too many requests or events; retry after the indicated delay. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A dependency (database, Redis, key set) is not answering; retry later. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** The gateway could not reach the service. */
  BAD_GATEWAY: 'BAD_GATEWAY',
  /** The gateway gave up waiting for the service. */
  GATEWAY_TIMEOUT: 'GATEWAY_TIMEOUT',
  /** Something unexpected; details are in the server log under the request id, never here. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const errorCodeSchema = z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]);

/** The HTTP status each code is sent with. */
export const httpStatusOf: Readonly<Record<ErrorCode, number>> = {
  INVALID_PAYLOAD: 400,
  WEAK_PASSWORD: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  TICKET_INVALID: 401,
  FORBIDDEN: 403,
  ROOM_QUOTA_REACHED: 403,
  BANNED: 403,
  GUEST_NOT_ALLOWED: 403,
  GUESTS_OFF: 403,
  NOT_FOUND: 404,
  PEER_NOT_FOUND: 404,
  KNOCK_NOT_FOUND: 404,
  NO_HOST: 409,
  EMAIL_TAKEN: 409,
  CONFLICT: 409,
  ROOM_FULL: 409,
  NOT_IN_ROOM: 409,
  ILLEGAL_MOVE: 409,
  ROOM_CLOSED: 410,
  PAYLOAD_TOO_LARGE: 413,
  ROOM_LOCKED: 423,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  BAD_GATEWAY: 502,
  UNAVAILABLE: 503,
  GATEWAY_TIMEOUT: 504,
};

/** Messages safe to show anyone; used whenever the real cause must stay in the log. */
export const defaultMessageOf: Readonly<Record<ErrorCode, string>> = {
  INVALID_PAYLOAD: 'The request is not valid.',
  UNAUTHORIZED: 'Sign in to continue.',
  INVALID_CREDENTIALS: 'Email or password is wrong.',
  TICKET_INVALID: 'The join ticket is not valid; join the room again.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'Not found.',
  ROOM_QUOTA_REACHED: 'You have as many open rooms as an account may have; close one first.',
  BANNED: 'The owner removed you from this room.',
  GUEST_NOT_ALLOWED: 'Guests can only join the room they were invited to; sign up for an account to do that.',
  GUESTS_OFF: 'The owner of this room does not let guests in; sign in to join.',
  PEER_NOT_FOUND: 'That participant is not in this room.',
  NO_HOST: 'Nobody in the call can let you in right now.',
  KNOCK_NOT_FOUND: 'That request to join is no longer waiting.',
  EMAIL_TAKEN: 'An account with this email already exists.',
  WEAK_PASSWORD: 'Choose a password that is harder to guess.',
  CONFLICT: 'That change conflicts with the current state.',
  ROOM_FULL: 'The room is full.',
  NOT_IN_ROOM: 'Join a room first.',
  ILLEGAL_MOVE: 'That move is not allowed.',
  ROOM_CLOSED: 'The room has been closed.',
  PAYLOAD_TOO_LARGE: 'The request is too large.',
  ROOM_LOCKED: 'The room is locked.',
  RATE_LIMITED: 'Too many requests; slow down.',
  INTERNAL: 'Something went wrong on our side.',
  BAD_GATEWAY: 'The service is not reachable right now.',
  UNAVAILABLE: 'The service is temporarily unavailable.',
  GATEWAY_TIMEOUT: 'The service took too long to answer.',
};

/** One validation problem, pointing at the offending field. */
export const issueSchema = z.object({ path: z.string(), message: z.string() });
export type Issue = z.infer<typeof issueSchema>;

/** The body of every HTTP error response. */
export const errorBodySchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    details: z.array(issueSchema).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * An error meant for the client: its code and message are sent as they are. Anything thrown
 * that is not an AppError is reported as INTERNAL with a generic message.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Issue[] | undefined;

  constructor(code: ErrorCode, message: string = defaultMessageOf[code], details?: Issue[]) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return httpStatusOf[this.code];
  }
}

/** Turns zod issues into client-safe `details` entries (`path` is dotted, `''` for the root). */
export function issuesFromZod(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * What a client may see of any thrown value: AppErrors pass through, everything else becomes a
 * generic INTERNAL so that stack traces, driver messages and hostnames never leak.
 */
export function toPublicError(error: unknown): { code: ErrorCode; message: string; details?: Issue[] } {
  if (error instanceof AppError) {
    return error.details ? { code: error.code, message: error.message, details: error.details } : { code: error.code, message: error.message };
  }
  if (error instanceof z.ZodError) {
    return { code: ErrorCode.INVALID_PAYLOAD, message: defaultMessageOf.INVALID_PAYLOAD, details: issuesFromZod(error) };
  }
  return { code: ErrorCode.INTERNAL, message: defaultMessageOf.INTERNAL };
}
