import type { RedisClient } from '@meshcall/server-kit';
import type { FastifyBaseLogger } from 'fastify';
import { lobbyEventSchema, occupancyMessageSchema, redisChannels, roomEventMessageSchema, type RoomEventMessage } from '@meshcall/shared';
import { LOBBY_CHANNEL, type RoomEventPublisher } from '../events/room-event-publisher.js';
import type { LiveRoomStore } from '../repositories/live-room-store.js';
import type { LobbyReadModel } from '../repositories/lobby-read-model.js';
import type { RoomRepository } from '../repositories/room-record.js';
import { toRoomView } from '../rooms/room-view.js';
import type { LobbyHub } from './lobby-hub.js';

/** Rooms outside the read model remembered as listed (public and open) or not; visibility never changes, only closing unlists. */
const LISTED_CACHE_LIMIT = 10_000;

export interface LobbyBridgeDeps {
  subscriber: RedisClient;
  rooms: RoomRepository;
  lobby: LobbyReadModel;
  live: LiveRoomStore;
  events: RoomEventPublisher;
  hub: LobbyHub;
  log: FastifyBaseLogger;
}

/**
 * Feeds this replica's lobby sockets from Redis:
 * - the lobby channel: created/updated/closed snapshots of public rooms from any rooms replica;
 * - occupancy from signaling, which moves the room in the read model's occupancy order, and is
 *   passed on only for rooms that are listed (a private room's occupancy would reveal that it exists);
 * - room events from signaling: a lock set in the call is mirrored into the database and told
 *   to the lobby by exactly one replica (the one whose Redis SET ... GET saw the change).
 */
export class LobbyBridge {
  private readonly listed = new Map<string, boolean>();
  private readonly onMessage = (channel: string, message: string) => {
    void this.handle(channel, message).catch((error: unknown) => {
      this.deps.log.warn({ err: error, channel }, 'could not handle a lobby message');
    });
  };

  constructor(private readonly deps: LobbyBridgeDeps) {}

  async start(): Promise<void> {
    this.deps.subscriber.on('message', this.onMessage);
    await this.deps.subscriber.subscribe(LOBBY_CHANNEL, redisChannels.occupancy, redisChannels.roomEvents);
  }

  stop(): void {
    this.deps.subscriber.off('message', this.onMessage);
  }

  private async handle(channel: string, raw: string): Promise<void> {
    const payload = parseJson(raw);
    if (channel === LOBBY_CHANNEL) {
      const event = lobbyEventSchema.safeParse(payload);
      if (!event.success) return this.ignore(channel);
      if (event.data.type === 'room:created') this.remember(event.data.room.id, true);
      if (event.data.type === 'room:closed') this.remember(event.data.roomId, false);
      this.deps.hub.broadcast(event.data);
    } else if (channel === redisChannels.occupancy) {
      const message = occupancyMessageSchema.safeParse(payload);
      if (!message.success) return this.ignore(channel);
      // The read model says whether the room is listed; MongoDB is asked only about rooms it does not hold.
      const listed = await this.deps.lobby.setOccupancy(message.data.roomId, message.data.occupancy.count);
      if (listed === true || (listed === 'unknown' && (await this.isListed(message.data.roomId)))) {
        this.deps.hub.queueOccupancy(message.data.roomId, message.data.occupancy);
      }
    } else if (channel === redisChannels.roomEvents) {
      const message = roomEventMessageSchema.safeParse(payload);
      if (!message.success) return this.ignore(channel);
      await this.onRoomEvent(message.data);
    }
  }

  private async onRoomEvent(message: RoomEventMessage): Promise<void> {
    if (message.type === 'closed') {
      this.remember(message.roomId, false);
      return;
    }
    if (message.type !== 'locked') return;
    if (!(await this.deps.live.recordAnnouncedLock(message.roomId, message.locked))) return;
    const changed = await this.deps.rooms.update(message.roomId, { locked: message.locked }, new Date());
    if (changed) await this.deps.lobby.mirror(changed);
    if (!changed || changed.visibility !== 'public') return;
    const live = await this.deps.live.state(changed.id);
    await this.deps.events.lobby({ type: 'room:updated', room: toRoomView(changed, live, null) });
  }

  private async isListed(roomId: string): Promise<boolean> {
    const known = this.listed.get(roomId);
    if (known !== undefined) return known;
    const room = await this.deps.rooms.findVisibility(roomId);
    const listed = room !== null && room.visibility === 'public' && !room.closed;
    // An unknown id is not cached: the room may be created a moment later.
    if (room) this.remember(roomId, listed);
    return listed;
  }

  private remember(roomId: string, listed: boolean): void {
    this.listed.delete(roomId);
    this.listed.set(roomId, listed);
    if (this.listed.size > LISTED_CACHE_LIMIT) {
      const oldest = this.listed.keys().next().value;
      if (oldest !== undefined) this.listed.delete(oldest);
    }
  }

  private ignore(channel: string): void {
    this.deps.log.warn({ channel }, 'ignored a malformed message');
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
