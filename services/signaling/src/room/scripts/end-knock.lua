-- A knock stops waiting without an answer: the knocker took it back or left, or nobody answered
-- in time. The account waits cooldownMs before knocking again. Returns 1 if it was still waiting.
-- args: knockId, userId, cooldownMs.
if redis.call('HDEL', prefix .. 'knocks', args.knockId) == 0 then return 0 end
redis.call('SET', prefix .. 'knock-cooldown:' .. args.userId, '1', 'PX', args.cooldownMs)
return 1
