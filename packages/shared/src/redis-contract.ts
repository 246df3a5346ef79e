import { z } from 'zod';
import { occupancySchema, roomIdSchema } from './rooms-api.js';

/**
 * Redis keys and channels that more than one service reads or writes. Anything used by a single
 * service stays private to it. Keys carry the room id in a hash tag so a cluster keeps a room's
 * keys on one shard (the capacity script touches several).
 */
export const redisKeys = {
  /**
   * Seats of a room: a sorted set of peerId → lease expiry (epoch ms). Signaling writes it with
   * one script; a seat whose lease ran out is free. Live occupancy = ZCOUNT key <now> +inf.
   */
  roomSeats: (roomId: string) => `meshcall:room:{${roomId}}:seats`,
  /**
   * Who holds each seat: a hash peerId → SeatHolder (JSON; signaling's record has more fields).
   * Signaling writes it with the seats; rooms reads it to tell an account's own seat (another
   * tab, or one held for resume after a reload) from someone else's, since signaling's join
   * takes such a seat over instead of adding one.
   */
  roomPeers: (roomId: string) => `meshcall:room:{${roomId}}:sig:peers`,
  /** "1" while the room is locked for newcomers; rooms and signaling both set it. */
  roomLocked: (roomId: string) => `meshcall:room:{${roomId}}:locked`,
  /** Present once the room is closed, so tickets issued before the close are refused. */
  roomClosed: (roomId: string) => `meshcall:room:{${roomId}}:closed`,
  /**
   * Present while a signed-out session's access tokens may still be unexpired: auth sets it (with a
   * TTL a little longer than the access-token lifetime) when the session is signed out, signed out
   * everywhere or revoked for a replayed refresh token; every service refuses access tokens whose
   * `sid` claim has one.
   */
  revokedSession: (sessionId: string) => `meshcall:auth:revoked-session:${sessionId}`,
  /**
   * Accounts kept out of a room: a hash userId → ExclusionEntry (JSON). Signaling adds an entry
   * when the owner kicks someone, rooms when the owner takes an invitation back; rooms refuses
   * them tickets and signaling refuses them seats, even with a ticket issued before. Only the
   * owner lifting a ban (rooms) removes an entry.
   */
  roomExcluded: (roomId: string) => `meshcall:room:{${roomId}}:excluded`,
  /**
   * Present (a string, with a TTL of KNOCK_ADMISSION_MS) while the host's admission of a knocking
   * account is unused: rooms issues that account a ticket past the lock, and signaling seats it
   * past the lock once, deleting the key in the same script.
   */
  roomAdmitted: (roomId: string, userId: string) => `meshcall:room:{${roomId}}:admitted:${userId}`,
} as const;

/** What rooms reads of one entry of `redisKeys.roomPeers`. */
export const seatHolderSchema = z.object({ userId: z.string() });
export type SeatHolder = z.infer<typeof seatHolderSchema>;

/** Why an account is kept out of a room. */
export const exclusionReasonSchema = z.enum(['kicked', 'removed']);
export type ExclusionReason = z.infer<typeof exclusionReasonSchema>;

/** One entry of `redisKeys.roomExcluded`. */
export const exclusionEntrySchema = z.object({
  /** The display name the account had when it was excluded, so the owner knows whom to let back. */
  name: z.string(),
  /** Epoch ms. */
  at: z.number(),
  reason: exclusionReasonSchema,
});
export type ExclusionEntry = z.infer<typeof exclusionEntrySchema>;

export const redisChannels = {
  /** Signaling → rooms: a room's occupancy changed. Payload: OccupancyMessage. */
  occupancy: 'meshcall:occupancy',
  /** Rooms → signaling (and other rooms replicas), and signaling → signaling: a room was closed or changed. Payload: RoomEventMessage. */
  roomEvents: 'meshcall:room-events',
  /** Auth → signaling: sessions were signed out; drop their live sockets. Payload: SessionsRevokedMessage. */
  sessionsRevoked: 'meshcall:sessions-revoked',
} as const;

/** The sessions (access-token `sid`s) just signed out; their keys are in `redisKeys.revokedSession` already. */
export const sessionsRevokedMessageSchema = z.object({ sessionIds: z.array(z.string().min(1)).min(1) });
export type SessionsRevokedMessage = z.infer<typeof sessionsRevokedMessageSchema>;

export const occupancyMessageSchema = z.object({ roomId: roomIdSchema, occupancy: occupancySchema });
export type OccupancyMessage = z.infer<typeof occupancyMessageSchema>;

export const roomEventMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('closed'), roomId: roomIdSchema }),
  z.object({ type: z.literal('locked'), roomId: roomIdSchema, locked: z.boolean() }),
  z.object({ type: z.literal('capacity'), roomId: roomIdSchema, capacity: z.number().int() }),
  /** The account is no longer allowed in: every replica ends that account's seats in the room. */
  z.object({ type: z.literal('excluded'), roomId: roomIdSchema, userId: z.string().min(1) }),
  /**
   * Signaling → signaling: moderation of the room passed to this seat (published by the seat
   * scripts in the same step that changed the seats); every replica tells its sockets of the room.
   */
  z.object({ type: z.literal('host'), roomId: roomIdSchema, peerId: z.string().min(1), name: z.string() }),
]);
export type RoomEventMessage = z.infer<typeof roomEventMessageSchema>;

/** How long a knocker admitted by the host may take to come in (rooms' ticket, then signaling's seat). */
export const KNOCK_ADMISSION_MS = 60_000;

/** How long a knock waits for the host's answer before it ends unanswered. */
export const KNOCK_TIMEOUT_MS = 60_000;

/** How long an account waits after a knock was declined or timed out before knocking again on the same room. */
export const KNOCK_COOLDOWN_MS = 10_000;

/** How long a seat lease lasts without renewal: a crashed replica's members vanish within this. */
export const SEAT_LEASE_MS = 15_000;

/** Live occupancy of a room from its seats key. */
export function liveSeatCountArgs(roomId: string, now: number = Date.now()): [string, number, string] {
  return [redisKeys.roomSeats(roomId), now, '+inf'];
}
