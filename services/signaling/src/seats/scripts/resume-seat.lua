-- A held seat taken back by a reconnected socket that proves it with the resume token.
-- args: peerId, userId, tokenHash, leaseUntil, route.
local peer_id, route = args.peerId, args.route
if redis.call('EXISTS', closed) == 1 then return {'ROOM_CLOSED'} end
if not is_seated(peer_id) then return {'SEAT_GONE'} end
local record = redis.call('HGET', peers, peer_id)
local session_json = redis.call('HGET', sessions, peer_id)
if not record or not session_json then return {'SEAT_GONE'} end
local session = cjson.decode(session_json)
if cjson.decode(record).userId ~= args.userId or session.tokenHash ~= args.tokenHash then return {'SEAT_GONE'} end

local old_route = redis.call('HGET', routes, peer_id)
redis.call('ZADD', seats, 'XX', args.leaseUntil, peer_id)
redis.call('HSET', routes, peer_id, route)
-- What the previous replica delivered is answered once; a later crash must not reuse it.
local away_at_seq = session.awayAtSeq or -1
session.awayAtSeq = -1
redis.call('HSET', sessions, peer_id, cjson.encode(session))
-- A socket the server still believes alive is stale now: its replica must let go of it.
if old_route and old_route ~= '' and old_route ~= route then publish_evict(old_route, peer_id, 'replaced') end
local mailbox = redis.call('LRANGE', prefix .. 'mailbox:' .. peer_id, 0, -1)
return {'OK', record, redis.call('HGET', media, peer_id) or '', redis.call('HGET', seqs, peer_id) or '0',
  tostring(away_at_seq), mailbox, tostring(capacity()), redis.call('HGET', info, 'kind') or '',
  redis.call('EXISTS', locked)}
