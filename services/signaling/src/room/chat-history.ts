import type { RedisClient } from '@meshcall/server-kit';
import { CHAT_HISTORY_LIMIT, type ChatMessage } from '@meshcall/shared';
import { RoomScript } from '../redis/room-script.js';

const appendChatScript = new RoomScript<{ peerId: string; message: string; limit: number }>(
  'append-chat',
  new URL('./scripts/append-chat.lua', import.meta.url),
);

/**
 * A room's chat while it is open: the newest CHAT_HISTORY_LIMIT messages in a Redis list (the
 * join snapshot reads the tail of it). Only a seated peer may append.
 */
export class ChatHistory {
  constructor(
    private readonly redis: RedisClient,
    private readonly limit: number = CHAT_HISTORY_LIMIT,
  ) {}

  /** False when the author no longer holds a seat. */
  async append(roomId: string, peerId: string, message: ChatMessage, now: number): Promise<boolean> {
    return Number(await appendChatScript.run(this.redis, roomId, now, { peerId, message: JSON.stringify(message), limit: this.limit })) === 1;
  }
}
