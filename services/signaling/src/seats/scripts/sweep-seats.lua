-- Removes the seats among the candidates whose lease ran out; reports on each, as flat triples:
-- peerId, then 'removed' and its userId, 'alive' and its lease, or 'missing' and ''.
-- args: peerIds.
local results = {}
local removed = false
for _, peer_id in ipairs(args.peerIds) do
  local score = redis.call('ZSCORE', seats, peer_id)
  if not score then
    table.insert(results, peer_id); table.insert(results, 'missing'); table.insert(results, '')
  elseif tonumber(score) >= now then
    table.insert(results, peer_id); table.insert(results, 'alive'); table.insert(results, score)
  else
    local user_id = remove_seat(peer_id, false)
    table.insert(results, peer_id); table.insert(results, 'removed'); table.insert(results, user_id)
    removed = true
  end
end
if removed then settle_room() end
return results
