-- The seat's socket dropped: the seat waits for a resume until graceUntil, and remembers how far
-- signal delivery got. Nothing happens if another socket holds the seat by now.
-- args: peerId, route (the dropped socket's), graceUntil, deliveredSeq.
local peer_id = args.peerId
if redis.call('HGET', routes, peer_id) ~= args.route then return 0 end
redis.call('HSET', routes, peer_id, '')
local session = cjson.decode(redis.call('HGET', sessions, peer_id))
session.awayAtSeq = args.deliveredSeq
redis.call('HSET', sessions, peer_id, cjson.encode(session))
redis.call('ZADD', seats, 'XX', args.graceUntil, peer_id)
return 1
