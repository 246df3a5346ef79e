import type { FastifyBaseLogger } from 'fastify';
import type { RedisClient } from '@meshcall/server-kit';
import { redisChannels, roomEventMessageSchema, type RoomEventMessage } from '@meshcall/shared';
import type { Notifier } from '../notifier.js';
import { channelSubscription, type ChannelSubscription } from '../redis/channel-subscription.js';
import type { LocalSeats } from '../seats/local-seats.js';
import type { SeatStore } from '../seats/seat-store.js';
import type { Departures } from '../seats/departures.js';
import type { KnockStore } from './knock-store.js';

/**
 * Room changes published by the rooms service (and by signaling itself: the lock, and who hosts
 * after a handover): every replica receives each one and acts for the sockets it holds, so a
 * close reaches every peer wherever it is connected.
 */
export class RoomEvents {
  private readonly subscription: ChannelSubscription;

  constructor(
    private readonly deps: {
      notifier: Notifier;
      subscriber: RedisClient;
      seats: SeatStore;
      localSeats: LocalSeats;
      departures: Departures;
      knocks: KnockStore;
      logger: FastifyBaseLogger;
      now: () => number;
    },
  ) {
    this.subscription = channelSubscription({
      subscriber: deps.subscriber,
      channel: redisChannels.roomEvents,
      schema: roomEventMessageSchema,
      logger: deps.logger,
      malformed: 'room event',
      onMessage: (event) =>
        void this.apply(event).catch((error: unknown) => deps.logger.warn({ err: error, event: event.type, roomId: event.roomId }, 'room event not fully applied')),
    });
  }

  start(): Promise<void> {
    return this.subscription.start();
  }

  stop(): Promise<void> {
    return this.subscription.stop();
  }

  private async apply(event: RoomEventMessage): Promise<void> {
    const { notifier, seats, localSeats, now } = this.deps;
    switch (event.type) {
      case 'closed':
        for (const seat of localSeats.inRoom(event.roomId)) {
          notifier.toSocket(seat.socket, 'room:closed', { reason: 'closed' });
          localSeats.detach(seat);
        }
        // Every replica runs this; it is idempotent and leaves nothing of the room behind.
        await seats.deleteRoom(event.roomId, now());
        return;
      case 'locked':
        notifier.toRoomOnThisReplica(event.roomId, 'room:locked', { locked: event.locked });
        return;
      case 'host': {
        notifier.toRoomOnThisReplica(event.roomId, 'room:host', { peerId: event.peerId, name: event.name });
        // Knocks still waiting now wait for the new host: the replica holding its socket shows them.
        const host = localSeats.get(event.peerId);
        if (host) for (const knock of await this.deps.knocks.waiting(event.roomId)) notifier.toSocket(host.socket, 'room:knock-request', knock);
        return;
      }
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
