-- Locks or unlocks the room for newcomers. args: actor (a seated peer id), locked (boolean).
if not is_seated(args.actor) then return 0 end
if args.locked then redis.call('SET', locked, '1') else redis.call('DEL', locked) end
-- Rooms keeps its own record in step; every signaling replica tells its sockets.
redis.call('PUBLISH', ROOM_EVENTS_CHANNEL, cjson.encode({type = 'locked', roomId = room_id, locked = args.locked}))
return 1
