-- Everyone seated (record and media, flat pairs), the last chat messages, the lock flag and the
-- host's peer id ('' when nobody moderates).
-- args: chatCount.
local list = {}
for _, peer_id in ipairs(redis.call('ZRANGEBYSCORE', seats, now, '+inf')) do
  local record = redis.call('HGET', peers, peer_id)
  if record then
    table.insert(list, record)
    table.insert(list, redis.call('HGET', media, peer_id) or '')
  end
end
local recent = {}
if args.chatCount > 0 then recent = redis.call('LRANGE', chat, -args.chatCount, -1) end
return {list, recent, redis.call('EXISTS', locked), redis.call('GET', host) or ''}
