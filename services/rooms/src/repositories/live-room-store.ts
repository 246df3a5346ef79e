import type { RedisClient } from '@meshcall/server-kit';
import { exclusionEntrySchema, liveSeatCountArgs, redisKeys, seatHolderSchema, type ExclusionEntry } from '@meshcall/shared';

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
/** The lock state last announced to the lobby; after this long unused, the next change is announced anew. */
const ANNOUNCED_LOCK_TTL_SECONDS = 24 * 60 * 60;

/** Deletes an exclusion entry only if it is a removal from the guest list, in one step. */
const LIFT_REMOVAL_SCRIPT = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local ok, entry = pcall(cjson.decode, raw)
if ok and type(entry) == 'table' and entry.reason == 'removed' then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`;

/** Private to rooms: which lock state the lobby was last told about (see recordAnnouncedLock). */
export function announcedLockKey(roomId: string): string {
  return `meshcall:room:{${roomId}}:lock-announced`;
}

/** The account holding a seat, or undefined for an entry that does not parse. */
function holderOf(json: string | undefined): string | undefined {
  if (json === undefined) return undefined;
  try {
    const holder = seatHolderSchema.safeParse(JSON.parse(json));
    return holder.success ? holder.data.userId : undefined;
  } catch {
    return undefined;
  }
}

/** Live room state in Redis, per the keys in `@meshcall/shared` redis-contract. */
export class LiveRoomStore {
  constructor(private readonly redis: RedisClient) {}

  // The reads below go out all at once rather than as one pipeline: the rooms' keys live in
  // different slots of a Redis Cluster, and a pipeline must stay on one node. ioredis writes each
  // command without waiting for the previous reply, so it is still one round trip.

  /** Live seat counts in the order of `ids`, in one round trip. */
  async seatCounts(ids: string[], nowMs: number = Date.now()): Promise<number[]> {
    return Promise.all(ids.map((id) => this.redis.zcount(...liveSeatCountArgs(id, nowMs))));
  }

  /** Seat count, lock and close marker of each room in the order of `ids`, in one round trip. */
  async states(ids: string[], nowMs: number = Date.now()): Promise<LiveRoomState[]> {
    return Promise.all(
      ids.map(async (id) => {
        const [count, locked, closed] = await Promise.all([
          this.redis.zcount(...liveSeatCountArgs(id, nowMs)),
          this.redis.get(redisKeys.roomLocked(id)),
          this.redis.exists(redisKeys.roomClosed(id)),
        ]);
        return { count, locked: locked === '1', closed: closed === 1 };
      }),
    );
  }

  async state(id: string, nowMs: number = Date.now()): Promise<LiveRoomState> {
    const [state] = await this.states([id], nowMs);
    return state as LiveRoomState;
  }

  /**
   * How many live seats of the room the account holds (another tab, or a seat held for resume
   * after a reload). Signaling's join takes them over, so they do not stand in that account's way.
   */
  async seatsHeldBy(id: string, userId: string, nowMs: number = Date.now()): Promise<number> {
    const [live, holders] = await Promise.all([this.redis.zrangebyscore(...liveSeatCountArgs(id, nowMs)), this.redis.hgetall(redisKeys.roomPeers(id))]);
    return live.filter((peerId) => holderOf(holders[peerId]) === userId).length;
  }

  async setLocked(id: string, locked: boolean): Promise<void> {
    if (locked) await this.redis.set(redisKeys.roomLocked(id), '1');
    else await this.redis.del(redisKeys.roomLocked(id));
  }

  /**
   * Records `locked` as the state the lobby knows and tells whether that is a change. SET ... GET
   * is atomic, so when every rooms replica hears the same lock event exactly one of them sees
   * the change and announces it. (A conditional database update cannot decide this: FerretDB
   * 1.24 runs findAndModify as a read then a write, so concurrent callers all "win".)
   */
  async recordAnnouncedLock(id: string, locked: boolean): Promise<boolean> {
    const value = locked ? '1' : '0';
    const previous = await this.redis.set(announcedLockKey(id), value, 'EX', ANNOUNCED_LOCK_TTL_SECONDS, 'GET');
    return previous !== value;
  }

  /** Whether the host admitted the account's knock and the admission is unused (signaling deletes it at the seat). */
  async isAdmitted(id: string, userId: string): Promise<boolean> {
    return (await this.redis.exists(redisKeys.roomAdmitted(id, userId))) === 1;
  }

  /** Whether the account is kept out of the room (kicked, or its invitation taken back). */
  async isExcluded(id: string, userId: string): Promise<boolean> {
    return (await this.redis.hexists(redisKeys.roomExcluded(id), userId)) === 1;
  }

  /** Everyone kept out of the room; entries that do not parse are skipped (and stay, for a human to look at). */
  async exclusions(id: string): Promise<Array<ExclusionEntry & { userId: string }>> {
    const raw = await this.redis.hgetall(redisKeys.roomExcluded(id));
    return Object.entries(raw).flatMap(([userId, json]) => {
      try {
        const entry = exclusionEntrySchema.safeParse(JSON.parse(json));
        return entry.success ? [{ userId, ...entry.data }] : [];
      } catch {
        return [];
      }
    });
  }

  /**
   * Keeps the account out of the room from now on. An entry already there (a kick) stays as it
   * is: the owner lifts a kick explicitly, never by inviting again.
   */
  async exclude(id: string, userId: string, entry: ExclusionEntry): Promise<void> {
    await this.redis.hsetnx(redisKeys.roomExcluded(id), userId, JSON.stringify(entry));
  }

  /** Takes back an earlier removal from the guest list (the owner invites the account again); a kick stays. */
  async liftRemoval(id: string, userId: string): Promise<void> {
    await this.redis.eval(LIFT_REMOVAL_SCRIPT, 1, redisKeys.roomExcluded(id), userId);
  }

  /** Lets the account back in; false when it was not kept out. */
  async lift(id: string, userId: string): Promise<boolean> {
    return (await this.redis.hdel(redisKeys.roomExcluded(id), userId)) === 1;
  }

  async markClosed(id: string): Promise<void> {
    await this.redis.set(redisKeys.roomClosed(id), '1', 'EX', CLOSED_MARKER_TTL_SECONDS);
  }
}
