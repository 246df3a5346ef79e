-- Shared head of every room script (room-script.ts puts it before each script's body, after
-- the constants IDLE_ROOM_TTL_MS, OCCUPANCY_CHANNEL, ROOM_EVENTS_CHANNEL and
-- REPLICA_CHANNEL_PREFIX). KEYS are the room's keys in the fixed order of roomKeys (keys.ts).
-- ARGV[1] is one JSON object of named arguments: `prefix` (for keys a script derives itself),
-- `roomId` and `now` (ms) in every call, and the script's own, read as `args.name`. A seat is
-- live while its lease (score) is >= now, as redis-contract.ts defines occupancy.
local seats, peers, media, routes, sessions, seqs, info, closed, locked, chat, game, excluded, host, since =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13], KEYS[14]
local args = cjson.decode(ARGV[1])
local prefix = args.prefix
local room_id = args.roomId
local now = args.now

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

-- Moderation (kick, lock, ask to mute, end the call) belongs to one seat, the host (peer id in
-- `host`): the owner's while seated, else the seat that has been in the room longest (`since`:
-- peer id -> when it was taken). Every change is announced on the room-events channel, from
-- which every replica tells its sockets of the room `room:host`.
local function make_host(peer_id)
  redis.call('SET', host, peer_id)
  local record = redis.call('HGET', peers, peer_id)
  local name = record and cjson.decode(record).name or ''
  redis.call('PUBLISH', ROOM_EVENTS_CHANNEL, cjson.encode({type = 'host', roomId = room_id, peerId = peer_id, name = name}))
end

-- Guests (no account, one room, one call) never moderate: the room's owner let them in to talk.
local function is_guest(peer_id)
  local record = redis.call('HGET', peers, peer_id)
  return record ~= false and cjson.decode(record).guest == true
end

-- The host's seat is gone for good (left, kicked, swept after the resume window, replaced):
-- moderation passes to the longest-seated account whose socket is connected, else to the
-- longest-seated one waiting for a resume; with no account left the room has no host until the
-- owner comes back. A host merely away (inside its resume window) keeps its seat and so the role.
local function pass_host_on()
  local current = redis.call('GET', host)
  if not current or redis.call('ZSCORE', seats, current) then return end
  local successor, away_successor = nil, nil
  for _, peer_id in ipairs(redis.call('ZRANGE', since, 0, -1)) do
    if is_seated(peer_id) and not is_guest(peer_id) then
      if (redis.call('HGET', routes, peer_id) or '') ~= '' then
        successor = peer_id
        break
      end
      away_successor = away_successor or peer_id
    end
  end
  successor = successor or away_successor
  if successor then make_host(successor) else redis.call('DEL', host) end
end

-- Tells the rooms service (live lobby) the new head count, lets an emptied room's leftovers
-- expire instead of living in Redis forever, and passes moderation on if its seat went. Every
-- script that frees seats ends with it, so the handover is part of the same atomic change.
local function settle_room()
  pass_host_on()
  local count = live_count()
  if redis.call('ZCARD', seats) == 0 then
    for _, key in ipairs({chat, game, info}) do redis.call('PEXPIRE', key, IDLE_ROOM_TTL_MS) end
  end
  redis.call('PUBLISH', OCCUPANCY_CHANNEL,
    cjson.encode({roomId = room_id, occupancy = {count = count, capacity = capacity()}}))
  return count
end

local function route_replica(route)
  if not route or route == '' then return nil end
  return string.match(route, '^(.-)|')
end

-- Tells the replica holding the peer's socket (if any) to drop it from the room: an `evict`
-- message of relay/replica-messages.ts.
local function publish_evict(route, peer_id, reason)
  local replica = route_replica(route)
  if replica then
    local conn = string.match(route, '|(.*)$')
    redis.call('PUBLISH', REPLICA_CHANNEL_PREFIX .. replica,
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
  redis.call('ZREM', since, peer_id)
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
