-- A chat line from a seated peer, kept in the room's bounded history.
-- args: peerId, message (JSON string), limit.
if not is_seated(args.peerId) then return 0 end
redis.call('RPUSH', chat, args.message)
redis.call('LTRIM', chat, -args.limit, -1)
return 1
