import type { RedisClient } from '@meshcall/server-kit';
import { redisChannels, type LobbyEvent, type RoomEventMessage } from '@meshcall/shared';

/**
 * Lobby events travel between rooms replicas on a channel of their own: the shared room-events
 * channel carries only what signaling acts on (closed, locked, capacity), not room snapshots.
 * Only events about public rooms are ever published here, since every lobby client gets them.
 */
export const LOBBY_CHANNEL = 'meshcall:rooms:lobby';

export class RoomEventPublisher {
  constructor(private readonly redis: RedisClient) {}

  /** Tells signaling (and the other rooms replicas) that a room changed. */
  async roomEvent(message: RoomEventMessage): Promise<void> {
    await this.redis.publish(redisChannels.roomEvents, JSON.stringify(message));
  }

  /** Tells every rooms replica's lobby clients about a public room. */
  async lobby(event: LobbyEvent): Promise<void> {
    await this.redis.publish(LOBBY_CHANNEL, JSON.stringify(event));
  }
}
