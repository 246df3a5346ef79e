-- A seated peer's microphone/camera/screen state. args: peerId, media (JSON string).
if not is_seated(args.peerId) then return 0 end
redis.call('HSET', media, args.peerId, args.media)
return 1
