-- The host admits or declines a waiting knock. An admission lets that one account past the lock
-- once (rooms' ticket and signaling's seat, see take-seat.lua) for admissionMs; a refusal makes
-- the account wait cooldownMs before knocking again, so a knocker cannot flood the host.
-- args: knockId, actor (the answering peer), admit, admissionMs, cooldownMs, admittedPrefix
-- (redisKeys.roomAdmitted without the user id).
-- Returns {status, userId}.
if redis.call('GET', host) ~= args.actor then return {'FORBIDDEN', ''} end
local knocks = prefix .. 'knocks'
local record = redis.call('HGET', knocks, args.knockId)
if not record then return {'KNOCK_NOT_FOUND', ''} end
redis.call('HDEL', knocks, args.knockId)
local user_id = cjson.decode(record).userId
if args.admit then
  redis.call('SET', args.admittedPrefix .. user_id, '1', 'PX', args.admissionMs)
else
  redis.call('SET', prefix .. 'knock-cooldown:' .. user_id, '1', 'PX', args.cooldownMs)
end
return {'OK', user_id}
