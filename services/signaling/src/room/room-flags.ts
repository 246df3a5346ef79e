import type { Redis } from 'ioredis';
import { redisChannels } from '@meshcall/shared';
import { RoomScript } from '../redis/room-script.js';

const setLockedScript = new RoomScript(
  'set-locked',
  `
local actor, lock = ARGV[4], ARGV[5] == '1'
if not is_seated(actor) then return 0 end
if lock then redis.call('SET', locked, '1') else redis.call('DEL', locked) end
-- Rooms keeps its own record in step; every signaling replica tells its sockets.
redis.call('PUBLISH', '${redisChannels.roomEvents}', cjson.encode({type = 'locked', roomId = room_id, locked = lock}))
return 1
`,
);

/** The room's lock flag, shared with the rooms service (redis-contract.ts). */
export class RoomFlags {
  constructor(private readonly redis: Redis) {}

  /** Sets or clears the lock and announces it on the room-events channel; false if the actor holds no seat. */
  async setLocked(roomId: string, actorPeerId: string, locked: boolean, now: number): Promise<boolean> {
    return Number(await setLockedScript.run(this.redis, roomId, now, [actorPeerId, locked ? '1' : '0'])) === 1;
  }
}
