-- Replaces the board only if nobody changed it since it was read. args: actor (a seated peer
-- id, or '' for the server's own bookkeeping), expected and next (JSON strings; '' for none).
if args.actor ~= '' and not is_seated(args.actor) then return 'NOT_IN_ROOM' end
if (redis.call('GET', game) or '') ~= args.expected then return 'CONFLICT' end
redis.call('SET', game, args.next)
return 'OK'
