-- The owner ended the call: every seat goes (live or held for resume, each with a tombstone so
-- no lease renewal or resume brings it back) and each socket is told through its replica. The
-- chat and board of this call go with it; the room itself, its lock and its bans stay, so the
-- next call starts fresh in the same room. Returns the freed peer ids.
local removed = {}
for _, peer_id in ipairs(redis.call('ZRANGE', seats, 0, -1)) do
  local _, route = remove_seat(peer_id, args.tombstoneMs)
  publish_evict(route, peer_id, 'ended')
  table.insert(removed, peer_id)
end
redis.call('DEL', chat, game)
settle_room()
return removed
