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
  /** "1" while the room is locked for newcomers; rooms and signaling both set it. */
  roomLocked: (roomId: string) => `meshcall:room:{${roomId}}:locked`,
  /** Present once the room is closed, so tickets issued before the close are refused. */
  roomClosed: (roomId: string) => `meshcall:room:{${roomId}}:closed`,
} as const;

export const redisChannels = {
  /** Signaling → rooms: a room's occupancy changed. Payload: OccupancyMessage. */
  occupancy: 'meshcall:occupancy',
  /** Rooms → signaling (and other rooms replicas): a room was closed or changed. Payload: RoomEventMessage. */
  roomEvents: 'meshcall:room-events',
} as const;

export const occupancyMessageSchema = z.object({ roomId: roomIdSchema, occupancy: occupancySchema });
export type OccupancyMessage = z.infer<typeof occupancyMessageSchema>;

export const roomEventMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('closed'), roomId: roomIdSchema }),
  z.object({ type: z.literal('locked'), roomId: roomIdSchema, locked: z.boolean() }),
  z.object({ type: z.literal('capacity'), roomId: roomIdSchema, capacity: z.number().int() }),
]);
export type RoomEventMessage = z.infer<typeof roomEventMessageSchema>;

/** How long a seat lease lasts without renewal: a crashed replica's members vanish within this. */
export const SEAT_LEASE_MS = 15_000;

/** Live occupancy of a room from its seats key. */
export function liveSeatCountArgs(roomId: string, now: number = Date.now()): [string, number, string] {
  return [redisKeys.roomSeats(roomId), now, '+inf'];
}
