import type { RedisClient } from '@meshcall/server-kit';
import { RoomScript } from '../redis/room-script.js';

const setLockedScript = new RoomScript<{ actor: string; locked: boolean }>('set-locked', new URL('./scripts/set-locked.lua', import.meta.url));

/** The room's lock flag, shared with the rooms service (redis-contract.ts). */
export class RoomFlags {
  constructor(private readonly redis: RedisClient) {}

  /** Sets or clears the lock and announces it on the room-events channel; false if the actor holds no seat. */
  async setLocked(roomId: string, actorPeerId: string, locked: boolean, now: number): Promise<boolean> {
    return Number(await setLockedScript.run(this.redis, roomId, now, { actor: actorPeerId, locked })) === 1;
  }
}
