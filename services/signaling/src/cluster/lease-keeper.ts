import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { SEAT_LEASE_MS } from '@meshcall/shared';
import type { LocalSeat, LocalSeats } from '../local-seats.js';
import type { SeatStore } from '../repositories/seat-store.js';
import { peerChannel, roomChannel, type SignalingServer } from '../types.js';

/** Three renewals per lease: one missed renewal (a GC pause, a slow Redis) never costs a seat. */
export const LEASE_RENEW_INTERVAL_MS = Math.floor(SEAT_LEASE_MS / 3);

/**
 * Keeps the leases of this replica's seats alive, one script per room every interval (not per
 * message). Each round also reconciles: a seat Redis lost (restart without data, or swept while
 * Redis was unreachable) is put back and announced again; a seat removed on purpose elsewhere,
 * or taken over by a resume on another socket, is let go here.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private connectedBefore = false;
  private readonly onReady = () => {
    // After a reconnect, re-assert at once rather than up to one interval later.
    if (this.connectedBefore) void this.renewNow();
    this.connectedBefore = true;
  };

  constructor(
    private readonly deps: {
      io: SignalingServer;
      redis: Redis;
      seats: SeatStore;
      localSeats: LocalSeats;
      logger: FastifyBaseLogger;
      now: () => number;
    },
  ) {}

  start(): void {
    this.connectedBefore = this.deps.redis.status === 'ready';
    this.deps.redis.on('ready', this.onReady);
    this.timer = setInterval(() => void this.renewNow(), LEASE_RENEW_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.deps.redis.off('ready', this.onReady);
    await this.running;
  }

  /** One renewal round; concurrent calls share the round in flight. */
  renewNow(): Promise<void> {
    this.running ??= this.renewAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async renewAll(): Promise<void> {
    const { localSeats } = this.deps;
    await Promise.all(
      localSeats.roomIds().map(async (roomId) => {
        const held = localSeats.inRoom(roomId);
        const first = held[0];
        if (!first) return;
        const now = this.deps.now();
        try {
          const outcomes = await this.deps.seats.renewSeats(roomId, first.room, held, now + SEAT_LEASE_MS, now);
          for (const seat of held) this.reconcile(seat, outcomes.get(seat.peerId));
        } catch (error) {
          this.deps.logger.warn({ err: error, roomId }, 'lease renewal failed; will retry');
        }
      }),
    );
  }

  private reconcile(seat: LocalSeat, outcome: string | undefined): void {
    const { io, localSeats, logger } = this.deps;
    switch (outcome) {
      case 'renewed':
        return;
      case 'restored':
        logger.info({ roomId: seat.roomId, peerId: seat.peerId }, 'seat was missing in Redis; restored it');
        io.to(roomChannel(seat.roomId)).except(peerChannel(seat.peerId)).emit('peer:joined', { ...seat.record, media: seat.media });
        return;
      case 'closed':
        localSeats.detach(seat);
        seat.socket.emit('room:closed', { reason: 'closed' });
        return;
      case 'replaced':
        localSeats.detach(seat);
        seat.socket.disconnect(true);
        return;
      default:
        localSeats.detach(seat);
        seat.socket.emit('room:kicked', { reason: 'removed' });
    }
  }
}
