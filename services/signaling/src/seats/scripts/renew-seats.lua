-- Renews the leases of the seats one replica holds in the room and reconciles each with what
-- Redis has (see SeatStore.renewSeats). args: leaseUntil, restoreCapacity, restoreKind, and
-- seats, each { peerId, state ('live', or 'away' for a socket that dropped from this replica),
-- restoreAt (the score to put it back with if Redis lost it; absent to leave it gone), route
-- (for an away seat, the dropped socket's), record, media, session (JSON strings), seq }.
local lease_until = args.leaseUntil
local room_closed = redis.call('EXISTS', closed) == 1
local results = {}
local restored = false

local function deliberately_gone(peer_id)
  return redis.call('EXISTS', prefix .. 'gone:' .. peer_id) == 1
end

local function token_hash(session_json)
  if not session_json then return nil end
  return cjson.decode(session_json).tokenHash
end

-- Puts back a seat that is gone without a deliberate removal (Redis lost its data, or the sweeper
-- took a live seat whose lease could not be renewed), unless someone took its place meanwhile.
local function restore(seat, score, route)
  if redis.call('HEXISTS', info, 'capacity') == 0 then
    redis.call('HSET', info, 'capacity', args.restoreCapacity, 'capacitySetAt', 0, 'kind', args.restoreKind)
  end
  if live_count() >= capacity() then return false end
  redis.call('ZADD', seats, score, seat.peerId)
  redis.call('HSET', peers, seat.peerId, seat.record)
  redis.call('HSET', media, seat.peerId, seat.media)
  redis.call('HSET', routes, seat.peerId, route)
  redis.call('HSET', sessions, seat.peerId, seat.session)
  redis.call('HSETNX', seqs, seat.peerId, seat.seq)
  -- Its place in line is lost with the data: it counts from now for the handover of moderation.
  redis.call('ZADD', since, 'NX', now, seat.peerId)
  restored = true
  return true
end

for _, seat in ipairs(args.seats) do
  local peer_id = seat.peerId
  local present = redis.call('ZSCORE', seats, peer_id)
  local current_route = redis.call('HGET', routes, peer_id)
  local outcome
  if room_closed then
    -- The close event was missed (subscriber reconnecting): let go now rather than never.
    remove_seat(peer_id, false)
    outcome = 'closed'
  elseif seat.state == 'live' then
    if present and current_route == seat.route then
      redis.call('ZADD', seats, lease_until, peer_id)
      outcome = 'renewed'
    elseif present and current_route == '' and token_hash(redis.call('HGET', sessions, peer_id)) == token_hash(seat.session) then
      -- Put back as away by the replica this peer dropped from, which had not yet noticed the
      -- resume here: the socket holding the resume token is the seat's.
      redis.call('ZADD', seats, lease_until, peer_id)
      redis.call('HSET', routes, peer_id, seat.route)
      redis.call('HSET', sessions, peer_id, seat.session)
      outcome = 'renewed'
    elseif present then
      outcome = 'replaced'
    elseif deliberately_gone(peer_id) then
      outcome = 'evicted'
    elseif restore(seat, seat.restoreAt, seat.route) then
      outcome = 'restored'
    else
      outcome = 'evicted'
    end
  else
    if present then
      -- Still waiting (route '', or the dropped socket's if marking it away failed), or resumed.
      outcome = (current_route == '' or current_route == seat.route) and 'waiting' or 'resumed'
    elseif deliberately_gone(peer_id) then
      outcome = 'gone'
    elseif seat.restoreAt == nil then
      -- Swept or taken by an expiry while Redis kept its data: whoever removed it announced it.
      outcome = 'missing'
    elseif restore(seat, seat.restoreAt, '') then
      -- Only the rest of its window is left (maybe none): the sweep announces it when it ends.
      outcome = 'restored'
    else
      outcome = 'lost'
    end
  end
  table.insert(results, peer_id)
  table.insert(results, outcome)
end
if restored then
  for _, key in ipairs({chat, game, info}) do redis.call('PERSIST', key) end
  settle_room()
end
return results
