import type { RedisClient } from '@meshcall/server-kit';
import { AppError, ErrorCode } from '@meshcall/shared';
import { FixedWindowRate } from './fixed-window-rate.js';

/** How many rooms one account may hold open and create; from ROOMS_PER_ACCOUNT and ROOM_CREATE_RATE_*. */
export interface RoomCreationLimitSettings {
  roomsPerAccount: number;
  ratePerWindow: number;
  rateWindowSeconds: number;
}

/** A creation reserved but not yet stored stays counted this long at most (a crashed replica's reservation). */
const PENDING_TTL_MS = 30_000;

/** Counts a creation under way; every reservation pushes the expiry out, so only a quiet key lapses. */
const RESERVE_SCRIPT = `
local pending = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return pending
`;

/** Gives a reservation back, unless the key already lapsed (a DECR would then leave a -1 forever). */
const RELEASE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0
`;

/** Rooms keeps these keys to itself; the account id is a hash tag so each account's keys share a slot. */
function rateKey(userId: string): string {
  return `meshcall:rooms:{${userId}}:create-rate`;
}
function pendingKey(userId: string): string {
  return `meshcall:rooms:{${userId}}:create-pending`;
}

export interface CreationReservation {
  /** Call once the room is stored, or its creation failed. */
  release(): Promise<void>;
}

/**
 * The room quota and the creation rate of an account, enforced in Redis so every rooms replica
 * agrees.
 *
 * The quota counts open rooms in the database plus creations under way. A creation first
 * reserves its place in Redis and only then counts the stored rooms, so two creations racing on
 * two replicas always see each other (in the count or as a reservation): the quota can refuse
 * one of them early at the edge, but never lets both past it. (A conditional insert cannot do
 * this without transactions, which FerretDB lacks.)
 */
export class RoomCreationLimits {
  private readonly rate: FixedWindowRate;

  constructor(
    private readonly redis: RedisClient,
    private readonly settings: RoomCreationLimitSettings,
  ) {
    this.rate = new FixedWindowRate(redis, { limit: settings.ratePerWindow, windowSeconds: settings.rateWindowSeconds, wording: ['create', 'rooms'] });
  }

  /** Throws RetryLaterError (429) past the rate, or ROOM_QUOTA_REACHED (403) past the quota. */
  async reserve(userId: string, countOpenRooms: () => Promise<number>): Promise<CreationReservation> {
    const { roomsPerAccount } = this.settings;
    await this.rate.take(rateKey(userId));

    const key = pendingKey(userId);
    const pending = Number(await this.redis.eval(RESERVE_SCRIPT, 1, key, PENDING_TTL_MS));
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await this.redis.eval(RELEASE_SCRIPT, 1, key);
    };
    try {
      const open = await countOpenRooms();
      if (open + pending > roomsPerAccount) {
        throw new AppError(
          ErrorCode.ROOM_QUOTA_REACHED,
          `An account may have at most ${roomsPerAccount} open rooms; close one you no longer need first.`,
        );
      }
    } catch (error) {
      await release().catch(() => undefined);
      throw error;
    }
    return { release };
  }
}
