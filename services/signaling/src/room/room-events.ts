import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { UNSUBSCRIBE_DEADLINE_MS, withDeadline } from '../redis/connections.js';
import { redisChannels, roomEventMessageSchema, type RoomEventMessage } from '@meshcall/shared';
import type { LocalSeats } from '../seats/local-seats.js';
import type { SeatStore } from '../seats/seat-store.js';
import type { Departures } from '../seats/departures.js';
import { roomChannel, type SignalingServer } from '../types.js';

/**
 * Room changes published by the rooms service (and by signaling's own lock): every replica
 * receives each one and acts for the sockets it holds, so a close reaches every peer wherever
 * it is connected.
 */
export class RoomEvents {
  private readonly onMessage = (channel: string, raw: string) => {
    if (channel !== redisChannels.roomEvents) return;
    let event: RoomEventMessage;
    try {
      event = roomEventMessageSchema.parse(JSON.parse(raw));
    } catch {
      this.deps.logger.warn('ignored a malformed room event');
      return;
    }
    void this.apply(event).catch((error: unknown) => this.deps.logger.warn({ err: error, event: event.type, roomId: event.roomId }, 'room event not fully applied'));
  };

  constructor(
    private readonly deps: {
      io: SignalingServer;
      subscriber: Redis;
      seats: SeatStore;
      localSeats: LocalSeats;
      departures: Departures;
      logger: FastifyBaseLogger;
      now: () => number;
    },
  ) {}

  async start(): Promise<void> {
    this.deps.subscriber.on('message', this.onMessage);
    await this.deps.subscriber.subscribe(redisChannels.roomEvents);
  }

  async stop(): Promise<void> {
    this.deps.subscriber.off('message', this.onMessage);
    await withDeadline(this.deps.subscriber.unsubscribe(redisChannels.roomEvents), UNSUBSCRIBE_DEADLINE_MS);
  }

  private async apply(event: RoomEventMessage): Promise<void> {
    const { io, seats, localSeats, now } = this.deps;
    switch (event.type) {
      case 'closed':
        for (const seat of localSeats.inRoom(event.roomId)) {
          seat.socket.emit('room:closed', { reason: 'closed' });
          localSeats.detach(seat);
        }
        // Every replica runs this; it is idempotent and leaves nothing of the room behind.
        await seats.deleteRoom(event.roomId, now());
        return;
      case 'locked':
        io.local.to(roomChannel(event.roomId)).emit('room:locked', { locked: event.locked });
        return;
      case 'capacity':
        await seats.setCapacity(event.roomId, event.capacity, now());
        return;
      case 'excluded': {
        // Every replica hears this; the first to run the script frees the seats and tells their
        // sockets through their replicas' inboxes, the others find nothing left to do.
        const removed = await seats.releaseUser(event.roomId, event.userId, now());
        if (removed.length > 0) await this.deps.departures.announce(event.roomId, removed, 'kicked');
        return;
      }
    }
  }
}
