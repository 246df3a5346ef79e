import type { Redis } from 'ioredis';
import { CHAT_HISTORY_LIMIT, type ChatMessage } from '@meshcall/shared';
import { RoomScript } from '../redis/room-script.js';

const appendChatScript = new RoomScript(
  'append-chat',
  `
local peer_id, message, limit = ARGV[4], ARGV[5], tonumber(ARGV[6])
if not is_seated(peer_id) then return 0 end
redis.call('RPUSH', chat, message)
redis.call('LTRIM', chat, -limit, -1)
return 1
`,
);

/**
 * A room's chat while it is open: the newest CHAT_HISTORY_LIMIT messages in a Redis list (the
 * join snapshot reads the tail of it). Only a seated peer may append.
 */
export class ChatHistory {
  constructor(
    private readonly redis: Redis,
    private readonly limit: number = CHAT_HISTORY_LIMIT,
  ) {}

  /** False when the author no longer holds a seat. */
  async append(roomId: string, peerId: string, message: ChatMessage, now: number): Promise<boolean> {
    return Number(await appendChatScript.run(this.redis, roomId, now, [peerId, JSON.stringify(message), this.limit])) === 1;
  }
}
