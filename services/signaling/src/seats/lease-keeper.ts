import type { FastifyBaseLogger } from 'fastify';
import type { RedisClient } from '@meshcall/server-kit';
import { SEAT_LEASE_MS } from '@meshcall/shared';
import type { AwaySeat, LocalSeat, LocalSeats } from './local-seats.js';
import type { AwayOutcome, SeatStore } from './seat-store.js';
import type { Notifier } from '../notifier.js';
import type { Departures } from './departures.js';

/** Three renewals per lease: one missed renewal (a GC pause, a slow Redis) never costs a seat. */
export const LEASE_RENEW_INTERVAL_MS = Math.floor(SEAT_LEASE_MS / 3);

/**
 * How often the keeper looks for rooms due a renewal. Each room is renewed one interval after its
 * last renewal, so a replica's rooms are renewed a few at a time all through the interval, not all
 * in one burst: thousands of renewal scripts at once would hold every signal queued behind them
 * (in the replica and in Redis) for as long as they take.
 */
const RENEWAL_TICK_MS = 100;

/**
 * Keeps the leases of this replica's seats alive, one script per room every interval (not per
 * message). Each renewal also reconciles: a seat Redis lost (restart without data, or swept while
 * Redis was unreachable) is put back and announced again; a seat removed on purpose elsewhere,
 * or taken over by a resume on another socket, is let go here. Seats whose socket dropped from
 * here and that wait for a resume are put back too if Redis lost them, with only the rest of
 * their window: the sweep then announces them when it ends, as it would have without the loss.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  /** The renewals in flight; the next ones start after them. */
  private running: Promise<void> | undefined;
  /** When each room of this replica was last renewed, or first seen here (its seats then have a fresh lease). */
  private readonly renewedAt = new Map<string, number>();
  private connectedBefore = false;
  /** The last time the command connection came back: Redis may have lost its data then. */
  private reconnectedAt = Number.NEGATIVE_INFINITY;
  private readonly onReady = () => {
    if (this.connectedBefore) {
      this.reconnectedAt = this.deps.now();
      // Re-assert at once rather than up to one interval later.
      void this.renewNow();
    }
    this.connectedBefore = true;
  };

  constructor(
    private readonly deps: {
      notifier: Notifier;
      redis: RedisClient;
      seats: SeatStore;
      localSeats: LocalSeats;
      departures: Departures;
      logger: FastifyBaseLogger;
      now: () => number;
    },
  ) {}

  start(): void {
    this.connectedBefore = this.deps.redis.status === 'ready';
    this.deps.redis.on('ready', this.onReady);
    this.timer = setInterval(() => this.renewDue(), RENEWAL_TICK_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.deps.redis.off('ready', this.onReady);
    await this.running;
  }

  /** Renews every room now, after the renewals in flight. */
  renewNow(): Promise<void> {
    return this.renew(this.deps.localSeats.roomIds());
  }

  /**
   * Renews the rooms whose interval is up. A tick that finds renewals still in flight (Redis is
   * slow) does nothing: the rooms stay due, and a later tick takes them.
   */
  private renewDue(): void {
    if (this.running) return;
    const now = this.deps.now();
    const present = new Set(this.deps.localSeats.roomIds());
    const due: string[] = [];
    for (const roomId of present) {
      const last = this.renewedAt.get(roomId);
      if (last === undefined) this.renewedAt.set(roomId, now);
      else if (now - last >= LEASE_RENEW_INTERVAL_MS) due.push(roomId);
    }
    for (const roomId of this.renewedAt.keys()) if (!present.has(roomId)) this.renewedAt.delete(roomId);
    if (due.length > 0) void this.renew(due);
  }

  private renew(roomIds: string[]): Promise<void> {
    const round = (this.running ?? Promise.resolve())
      .then(async () => {
        const now = this.deps.now();
        // Counted from the attempt: a room whose renewal failed is tried again one interval later.
        for (const roomId of roomIds) this.renewedAt.set(roomId, now);
        await Promise.all(roomIds.map((roomId) => this.renewRoom(roomId)));
      })
      .finally(() => {
        if (this.running === round) this.running = undefined;
      });
    this.running = round;
    return round;
  }

  private async renewRoom(roomId: string): Promise<void> {
    const { localSeats } = this.deps;
    const held = localSeats.inRoom(roomId);
    const away = localSeats.awayInRoom(roomId);
    const room = (held[0] ?? away[0])?.room;
    if (!room) return;
    const now = this.deps.now();
    // A seat Redis showed after the last reconnect and that is missing now was removed while
    // Redis kept its data (swept, and announced); one not seen since may have been lost with it.
    const checks = away.map((seat) => ({ seat, until: seat.until, restoreIfMissing: seat.confirmedAt < this.reconnectedAt }));
    try {
      const outcomes = await this.deps.seats.renewSeats(roomId, room, held, checks, now + SEAT_LEASE_MS, now);
      for (const seat of held) this.reconcile(seat, outcomes.held.get(seat.peerId), now);
      for (const seat of away) this.reconcileAway(seat, outcomes.away.get(seat.peerId), now);
    } catch (error) {
      this.deps.logger.warn({ err: error, roomId }, 'lease renewal failed; will retry');
    }
  }

  private reconcile(seat: LocalSeat, outcome: string | undefined, renewedAt: number): void {
    const { notifier, localSeats, logger } = this.deps;
    switch (outcome) {
      case 'renewed':
        seat.leaseRenewedAt = renewedAt;
        return;
      case 'restored':
        seat.leaseRenewedAt = renewedAt;
        logger.info({ roomId: seat.roomId, peerId: seat.peerId }, 'seat was missing in Redis; restored it');
        notifier.toRoomAbout(seat.roomId, seat.peerId, 'peer:joined', { ...seat.record, media: seat.media });
        return;
      case 'closed':
        localSeats.detach(seat);
        notifier.toSocket(seat.socket, 'room:closed', { reason: 'closed' });
        return;
      case 'replaced':
        localSeats.detach(seat);
        seat.socket.disconnect(true);
        return;
      default:
        localSeats.detach(seat);
        notifier.toSocket(seat.socket, 'room:kicked', { reason: 'removed' });
    }
  }

  private reconcileAway(seat: AwaySeat, outcome: AwayOutcome | undefined, checkedAt: number): void {
    const { localSeats, logger } = this.deps;
    switch (outcome) {
      case 'waiting':
        seat.confirmedAt = checkedAt;
        return;
      case 'restored':
        seat.confirmedAt = checkedAt;
        // The room never heard this peer left, so it hears nothing now either.
        logger.info({ roomId: seat.roomId, peerId: seat.peerId, until: seat.until }, 'seat awaiting a resume was missing in Redis; restored it');
        return;
      case 'lost':
        // Redis lost the seat and the room filled up since: nobody can resume it, so say so now.
        localSeats.forgetAway(seat);
        void this.deps.departures.announce(seat.roomId, [{ peerId: seat.peerId, userId: seat.record.userId }], 'disconnected');
        return;
      default:
        // Swept, resumed elsewhere, removed on purpose, or closed: whoever did it spoke for the seat.
        localSeats.forgetAway(seat);
    }
  }
}
