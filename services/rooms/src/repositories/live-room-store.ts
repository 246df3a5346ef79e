import type { Redis } from 'ioredis';
import { liveSeatCountArgs, redisKeys } from '@meshcall/shared';

/** What signaling and rooms share about a room right now, read from Redis. */
export interface LiveRoomState {
  /** Seats whose lease has not run out. */
  count: number;
  /** Locked for newcomers (set by rooms on PATCH or by signaling when the owner locks in the call). */
  locked: boolean;
  /** The close marker is set: the room no longer admits anyone. */
  closed: boolean;
}

/** How long the close marker outlives the close: far longer than any ticket or seat lease. */
const CLOSED_MARKER_TTL_SECONDS = 24 * 60 * 60;

type PipelineResult = Array<[Error | null, unknown]> | null;

function valuesOf(results: PipelineResult): unknown[] {
  if (!results) throw new Error('redis pipeline returned no results');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** Live room state in Redis, per the keys in `@meshcall/shared` redis-contract. */
export class LiveRoomStore {
  constructor(private readonly redis: Redis) {}

  /** Live seat counts in the order of `ids`, in one round trip. */
  async seatCounts(ids: string[], nowMs: number = Date.now()): Promise<number[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.zcount(...liveSeatCountArgs(id, nowMs));
    return valuesOf(await pipeline.exec()).map(Number);
  }

  /** Seat count, lock and close marker of each room in the order of `ids`, in one round trip. */
  async states(ids: string[], nowMs: number = Date.now()): Promise<LiveRoomState[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) {
      pipeline.zcount(...liveSeatCountArgs(id, nowMs));
      pipeline.get(redisKeys.roomLocked(id));
      pipeline.exists(redisKeys.roomClosed(id));
    }
    const values = valuesOf(await pipeline.exec());
    return ids.map((_id, index) => ({
      count: Number(values[index * 3]),
      locked: values[index * 3 + 1] === '1',
      closed: Number(values[index * 3 + 2]) === 1,
    }));
  }

  async state(id: string, nowMs: number = Date.now()): Promise<LiveRoomState> {
    const [state] = await this.states([id], nowMs);
    return state as LiveRoomState;
  }

  async setLocked(id: string, locked: boolean): Promise<void> {
    if (locked) await this.redis.set(redisKeys.roomLocked(id), '1');
    else await this.redis.del(redisKeys.roomLocked(id));
  }

  async markClosed(id: string): Promise<void> {
    await this.redis.set(redisKeys.roomClosed(id), '1', 'EX', CLOSED_MARKER_TTL_SECONDS);
  }
}
