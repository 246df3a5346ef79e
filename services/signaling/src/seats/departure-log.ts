import { z } from 'zod';
import type { RedisClient } from '@meshcall/server-kit';
import { peerIdSchema, peerLeftReasonSchema } from '@meshcall/shared';
import { ownRoomKey } from '../redis/keys.js';

/** Longer than any gap between a departure and a lagging subscriber's catch-up (seconds). */
const KEPT_MS = 60_000;
/** More departures than a room of at most 8 seats has in a minute, short of a stream of rejoins. */
const KEPT_ENTRIES = 32;

const departureSchema = z.object({ peerId: peerIdSchema, reason: peerLeftReasonSchema });
export type Departure = z.infer<typeof departureSchema>;

/**
 * The room's last departures, kept for a minute so that a replica whose adapter subscriber was
 * reconnecting when `peer:left` went out can still tell its sockets (RoomCatchUp). A departed
 * peer id never comes back (a resume keeps a held seat, never a removed one), so whoever is in
 * this log and not seated now is gone for good.
 */
export class DepartureLog {
  constructor(private readonly redis: RedisClient) {}

  /** Written before `peer:left` is broadcast: a catch-up that missed the broadcast finds it here. */
  async record(roomId: string, departures: Departure[]): Promise<void> {
    const key = ownRoomKey(roomId, 'departures');
    await this.redis
      .multi()
      .rpush(key, ...departures.map((departure) => JSON.stringify(departure)))
      .ltrim(key, -KEPT_ENTRIES, -1)
      .pexpire(key, KEPT_MS)
      .exec();
  }

  async recent(roomId: string): Promise<Departure[]> {
    const entries = await this.redis.lrange(ownRoomKey(roomId, 'departures'), 0, -1);
    // Written by replicas only, but a damaged entry must not stop the rest being told.
    return entries.flatMap((entry) => {
      try {
        return [departureSchema.parse(JSON.parse(entry))];
      } catch {
        return [];
      }
    });
  }
}
