-- The room is closed: every seat, mailbox, chat line, board, ban and waiting knock goes. No args
-- of its own.
for _, peer_id in ipairs(redis.call('HKEYS', peers)) do redis.call('DEL', prefix .. 'mailbox:' .. peer_id) end
redis.call('DEL', seats, peers, media, routes, sessions, seqs, info, chat, game, excluded, host, since, prefix .. 'knocks')
return 1
