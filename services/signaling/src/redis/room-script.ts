import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SEAT_LEASE_MS, redisChannels } from '@meshcall/shared';
import { roomKeyPrefix, roomKeys, signalingKeys } from './keys.js';

/** An empty room's leftovers (chat, game, info) vanish after a day if the room is never closed. */
export const IDLE_ROOM_TTL_MS = 24 * 60 * 60 * 1000;
/** Mailboxes are deleted with their seat; this only bounds a leak should that ever be missed. */
export const MAILBOX_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Shared head of every room script: names for the fixed KEYS (see roomKeys), the common ARGV
 * (prefix for derived keys, room id, now in ms) and the helpers that keep a seat's state in one
 * place. A seat is live while its lease (score) is >= now, as redis-contract.ts defines occupancy.
 */
const PRELUDE = `
local seats, peers, media, routes, sessions, seqs, info, closed, locked, chat, game, excluded =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12]
local prefix = ARGV[1]
local room_id = ARGV[2]
local now = tonumber(ARGV[3])

local function live_count()
  return redis.call('ZCOUNT', seats, now, '+inf')
end

local function is_seated(peer_id)
  local score = redis.call('ZSCORE', seats, peer_id)
  return score and tonumber(score) >= now
end

local function capacity()
  return tonumber(redis.call('HGET', info, 'capacity') or '0')
end

-- Tells the rooms service (live lobby) the new head count, and lets an emptied room's
-- leftovers expire instead of living in Redis forever.
local function settle_room()
  local count = live_count()
  if redis.call('ZCARD', seats) == 0 then
    for _, key in ipairs({chat, game, info}) do redis.call('PEXPIRE', key, ${IDLE_ROOM_TTL_MS}) end
  end
  redis.call('PUBLISH', '${redisChannels.occupancy}',
    cjson.encode({roomId = room_id, occupancy = {count = count, capacity = capacity()}}))
  return count
end

local function route_replica(route)
  if not route or route == '' then return nil end
  return string.match(route, '^(.-)|')
end

-- Tells the replica holding the peer's socket (if any) to drop it from the room.
local function publish_evict(route, peer_id, reason)
  local replica = route_replica(route)
  if replica then
    local conn = string.match(route, '|(.*)$')
    redis.call('PUBLISH', '${signalingKeys.replicaChannelPrefix}' .. replica,
      cjson.encode({type = 'evict', roomId = room_id, peerId = peer_id, conn = conn, reason = reason}))
  end
end

-- Removes every trace of a seat; a tombstone (ms) marks a deliberate removal so the holder's
-- lease renewal does not mistake it for lost data and put the seat back.
local function remove_seat(peer_id, tombstone_ms)
  local record = redis.call('HGET', peers, peer_id)
  local user_id = ''
  if record then user_id = cjson.decode(record).userId end
  local route = redis.call('HGET', routes, peer_id)
  redis.call('ZREM', seats, peer_id)
  redis.call('HDEL', peers, peer_id)
  redis.call('HDEL', media, peer_id)
  redis.call('HDEL', routes, peer_id)
  redis.call('HDEL', sessions, peer_id)
  redis.call('HDEL', seqs, peer_id)
  redis.call('DEL', prefix .. 'mailbox:' .. peer_id)
  if tombstone_ms then redis.call('SET', prefix .. 'gone:' .. peer_id, '1', 'PX', tombstone_ms) end
  return user_id, route
end

-- Seats whose lease ran out, as a flat list of peerId, userId.
local function drop_expired()
  local removed = {}
  for _, peer_id in ipairs(redis.call('ZRANGEBYSCORE', seats, '-inf', '(' .. now)) do
    local user_id = remove_seat(peer_id, false)
    table.insert(removed, peer_id)
    table.insert(removed, user_id)
  end
  return removed
end
`;

export class RoomScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;

  constructor(name: string, body: string) {
    this.name = name;
    this.source = `${PRELUDE}\n${body}`;
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  /**
   * EVALSHA, falling back to EVAL when Redis does not know the script (first use, or after a
   * restart emptied its script cache).
   */
  async run(redis: Redis, roomId: string, now: number, args: Array<string | number>): Promise<unknown> {
    const keys = roomKeys(roomId);
    const argv = [roomKeyPrefix(roomId), roomId, now, ...args];
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...argv);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return redis.eval(this.source, keys.length, ...keys, ...argv);
      }
      throw error;
    }
  }
}

/** How long a deliberately removed seat stays marked, to outlive any renewal in flight. */
export const TOMBSTONE_MS = 4 * SEAT_LEASE_MS;
