import type { RedisClient } from '@meshcall/server-kit';
import { SEAT_LEASE_MS, redisChannels } from '@meshcall/shared';
import { roomKeyPrefix, roomKeys, signalingKeys } from './keys.js';
import { LuaScript, luaConstants, readLua } from './lua-script.js';

/** An empty room's leftovers (chat, game, info) vanish after a day if the room is never closed. */
export const IDLE_ROOM_TTL_MS = 24 * 60 * 60 * 1000;
/** Mailboxes are deleted with their seat; this only bounds a leak should that ever be missed. */
export const MAILBOX_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a deliberately removed seat stays marked, to outlive any renewal in flight. */
export const TOMBSTONE_MS = 4 * SEAT_LEASE_MS;

/** The head of every room script: constants, then room-prelude.lua (key names, args, seat helpers). */
const ROOM_SCRIPT_HEAD = [
  luaConstants({
    IDLE_ROOM_TTL_MS,
    OCCUPANCY_CHANNEL: redisChannels.occupancy,
    ROOM_EVENTS_CHANNEL: redisChannels.roomEvents,
    REPLICA_CHANNEL_PREFIX: signalingKeys.replicaChannelPrefix,
  }),
  readLua(new URL('./room-prelude.lua', import.meta.url)),
].join('\n');

/**
 * A script over one room's keys (every key of roomKeys, so concurrent replicas never see half a
 * change). Its arguments go as one JSON object with names, `Args` on this side and `args.name`
 * in Lua, so the two cannot drift apart by position; `prefix`, `roomId` and `now` are added to
 * every call.
 */
export class RoomScript<Args extends object> {
  private readonly script: LuaScript;

  constructor(name: string, body: URL) {
    this.script = new LuaScript(name, `${ROOM_SCRIPT_HEAD}\n${readLua(body)}`);
  }

  run(redis: RedisClient, roomId: string, now: number, args: Args): Promise<unknown> {
    return this.script.run(redis, roomKeys(roomId), [JSON.stringify({ ...args, prefix: roomKeyPrefix(roomId), roomId, now })]);
  }
}
