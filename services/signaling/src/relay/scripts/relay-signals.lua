-- Relays every signal of one event-loop tick (signal-relay.ts), after the constants
-- MAILBOX_TTL_MS and REPLICA_CHANNEL_PREFIX. Unlike the room scripts, its arguments stay
-- positional: this script runs for every signal, and decoding one JSON object per call (and
-- encoding it in the replica) would cost CPU on the hot path that the other scripts can afford.
--
-- KEYS come in threes per room: seats, signal seqs, routes.
-- ARGV: now, deadline, mailbox limit, this replica's id; then per room its key prefix, id and
-- entry count, followed by that many (sender, recipient, message JSON) triples.
--
-- For each entry both peers must still be seated (Redis stays the judge: a peer id of another
-- room is not found), the signal gets its recipient's next number and is kept in the bounded
-- mailbox a resume replays from (a mailbox entry of seats/replay-plan.ts). A recipient on this
-- replica is answered LOCAL and delivered by the caller; any other is published to its replica's
-- channel (a `signal` message of relay/replica-messages.ts), in the same script, so a resume
-- that reads the mailbox sees every signal not published to its new replica. Results are flat
-- pairs per entry: status (1 local, 2 published or held for a resume, -1 sender not seated, -2
-- recipient not found) and seq.
local now, deadline, limit, self = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
-- A batch that reaches Redis after its senders were told it failed (Redis was stalled) must not
-- take effect late: the answer the senders got stays the truth.
local clock = redis.call('TIME')
if tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) > deadline then return 'EXPIRED' end
local function is_seated(seats, peer_id)
  local score = redis.call('ZSCORE', seats, peer_id)
  return score and tonumber(score) >= now
end
local results = {}
local arg = 5
for group = 1, #KEYS, 3 do
  local seats, seqs, routes = KEYS[group], KEYS[group + 1], KEYS[group + 2]
  local prefix, room_id, count = ARGV[arg], ARGV[arg + 1], tonumber(ARGV[arg + 2])
  arg = arg + 3
  for _ = 1, count do
    local from, to, message = ARGV[arg], ARGV[arg + 1], ARGV[arg + 2]
    arg = arg + 3
    if not is_seated(seats, from) then
      table.insert(results, -1); table.insert(results, 0)
    elseif not is_seated(seats, to) then
      table.insert(results, -2); table.insert(results, 0)
    else
      local seq = redis.call('HINCRBY', seqs, to, 1)
      local mailbox = prefix .. 'mailbox:' .. to
      if redis.call('RPUSH', mailbox, '{"seq":' .. seq .. ',"message":' .. message .. '}') > limit then
        redis.call('LTRIM', mailbox, -limit, -1)
      end
      redis.call('PEXPIRE', mailbox, MAILBOX_TTL_MS)
      -- An empty route is a seat waiting for its resume, which replays the mailbox.
      local replica = string.match(redis.call('HGET', routes, to) or '', '^(.-)|')
      if replica == self then
        table.insert(results, 1)
      else
        if replica then
          redis.call('PUBLISH', REPLICA_CHANNEL_PREFIX .. replica,
            '{"type":"signal","roomId":"' .. room_id .. '","peerId":"' .. to .. '","seq":' .. seq .. ',"sentAt":' .. now .. ',"fromReplica":"' .. self .. '","message":' .. message .. '}')
        end
        table.insert(results, 2)
      end
      table.insert(results, seq)
    end
  end
end
return results
