-- Leave or kick: the seat is freed at once.
-- args: peerId, reason ('left' or 'kicked'), tombstoneMs.
local peer_id = args.peerId
if not redis.call('ZSCORE', seats, peer_id) then return {'NOT_FOUND', ''} end
local record = redis.call('HGET', peers, peer_id)
local user_id, route = remove_seat(peer_id, args.tombstoneMs)
if args.reason == 'kicked' then
  -- A kick is a ban: the account stays out of this room, whatever ticket it holds, until the
  -- owner lifts it through rooms. Nobody bans the owner from their own room.
  local seat_record = record and cjson.decode(record) or {}
  if user_id ~= '' and seat_record.role ~= 'owner' then
    redis.call('HSET', excluded, user_id, cjson.encode({name = seat_record.name or '', at = now, reason = 'kicked'}))
  end
  publish_evict(route, peer_id, 'kicked')
end
settle_room()
return {'OK', user_id}
