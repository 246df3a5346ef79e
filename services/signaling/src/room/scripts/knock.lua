-- Someone asks to be let into the locked room: their ticket (checked by the caller) says they may
-- otherwise come in; here the close, the ban, a used ticket, the knocker's cooldown and whether
-- anyone hosts are checked, and the knock is kept until it is answered, withdrawn or times out.
-- args: knockId, userId, name, jti. Returns {status, hostPeerId}.
if redis.call('EXISTS', closed) == 1 then return {'ROOM_CLOSED', ''} end
if redis.call('HEXISTS', excluded, args.userId) == 1 then return {'BANNED', ''} end
if redis.call('EXISTS', prefix .. 'ticket:' .. args.jti) == 1 then return {'TICKET_USED', ''} end
if redis.call('EXISTS', prefix .. 'knock-cooldown:' .. args.userId) == 1 then return {'COOLING_DOWN', ''} end
local current_host = redis.call('GET', host)
if not current_host or not is_seated(current_host) then return {'NO_HOST', ''} end
redis.call('HSET', prefix .. 'knocks', args.knockId, cjson.encode({userId = args.userId, name = args.name}))
return {'OK', current_host}
