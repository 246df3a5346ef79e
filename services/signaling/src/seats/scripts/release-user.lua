-- Ends every seat an excluded account holds in the room (rooms took its invitation back).
-- args: userId, tombstoneMs.
local removed = {}
local seated = redis.call('HGETALL', peers)
for i = 1, #seated, 2 do
  local peer_id = seated[i]
  if cjson.decode(seated[i + 1]).userId == args.userId and redis.call('ZSCORE', seats, peer_id) then
    local _, route = remove_seat(peer_id, args.tombstoneMs)
    publish_evict(route, peer_id, 'uninvited')
    table.insert(removed, peer_id)
  end
end
if #removed > 0 then settle_room() end
return removed
