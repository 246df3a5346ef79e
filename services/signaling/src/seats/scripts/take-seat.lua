-- A new seat from a join ticket: closed rooms, used tickets, bans, the lock and the capacity are
-- checked in this one script, so replicas racing for the last seat admit exactly one. The owner's
-- seat becomes the host (see make_host in room-prelude.lua).
-- args: peerId, userId, leaseUntil, record, media, route, session (JSON strings kept as they
-- are), owner (boolean), jti, ticketExpiresAt (ms), issuedAt (s), ticketCapacity, kind,
-- tombstoneMs, admittedKey (redisKeys.roomAdmitted of the user).
local peer_id, user_id, lease_until, tombstone_ms = args.peerId, args.userId, args.leaseUntil, args.tombstoneMs

if redis.call('EXISTS', closed) == 1 then return {'ROOM_CLOSED', 0, {}} end
local ticket_key = prefix .. 'ticket:' .. args.jti
if redis.call('EXISTS', ticket_key) == 1 then return {'TICKET_USED', 0, {}} end
-- Checked here, not only when rooms issues the ticket: a ticket issued before the ban is void too.
if not args.owner and redis.call('HEXISTS', excluded, user_id) == 1 then return {'BANNED', 0, {}} end

-- The account's seats in this room (another tab or device, or one held for resume after a
-- reload): this join takes their place rather than a second seat, so one person cannot fill a
-- room, the owner included.
local own_seats = {}
local seated = redis.call('HGETALL', peers)
for i = 1, #seated, 2 do
  local other_id = seated[i]
  if is_seated(other_id) and cjson.decode(seated[i + 1]).userId == user_id then table.insert(own_seats, other_id) end
end
-- Someone already in the room is not a newcomer: the lock does not keep them out of their own seat.
-- Nor does it keep out an account the host admitted after a knock (answer-knock.lua): once, since
-- the admission is used up below when the seat is taken.
local by_admission = false
if not args.owner and #own_seats == 0 and redis.call('EXISTS', locked) == 1 then
  if redis.call('EXISTS', args.admittedKey) == 0 then return {'ROOM_LOCKED', 0, {}} end
  by_admission = true
end

-- The capacity is the ticket's unless rooms announced a change after the ticket was issued.
local cap = args.ticketCapacity
local capacity_set_at = tonumber(redis.call('HGET', info, 'capacitySetAt') or '-1')
if capacity_set_at >= args.issuedAt and redis.call('HEXISTS', info, 'capacity') == 1 then
  cap = capacity()
else
  redis.call('HSET', info, 'capacity', args.ticketCapacity, 'capacitySetAt', args.issuedAt)
end
redis.call('HSET', info, 'kind', args.kind)

local expired = drop_expired()
-- The seats taken over are freed only if this join then fits, so a refusal leaves them alone.
if redis.call('ZCARD', seats) - #own_seats >= cap then
  if #expired > 0 then settle_room() end
  return {'ROOM_FULL', cap, expired}
end
local replaced = {}
-- The account's new seat keeps the place in line its old one had, and the role of host with it.
local seated_since = now
local was_host = false
local current_host = redis.call('GET', host)
for _, other_id in ipairs(own_seats) do
  seated_since = math.min(seated_since, tonumber(redis.call('ZSCORE', since, other_id) or now))
  if other_id == current_host then was_host = true end
end
for _, other_id in ipairs(own_seats) do
  local other_user, other_route = remove_seat(other_id, tombstone_ms)
  publish_evict(other_route, other_id, 'joined-elsewhere')
  table.insert(replaced, other_id)
  table.insert(replaced, other_user)
end
redis.call('ZADD', seats, lease_until, peer_id)
redis.call('HSET', peers, peer_id, args.record)
redis.call('HSET', media, peer_id, args.media)
redis.call('HSET', routes, peer_id, args.route)
redis.call('HSET', sessions, peer_id, args.session)
redis.call('ZADD', since, seated_since, peer_id)
if by_admission then redis.call('DEL', args.admittedKey) end
-- The owner takes moderation back whenever they come (back) in.
if args.owner or was_host then make_host(peer_id) end
redis.call('SET', ticket_key, '1', 'PX', math.max(args.ticketExpiresAt - now, 1000))
for _, key in ipairs({chat, game, info}) do redis.call('PERSIST', key) end
settle_room()
return {'OK', cap, expired, redis.call('EXISTS', locked), replaced}
