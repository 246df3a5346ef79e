import { AppError, ErrorCode, SEAT_LEASE_MS } from '@meshcall/shared';
import type { ClientEventDeps, ClientEventRouter } from '../transport/client-event.js';
import type { Departures } from './departures.js';
import type { LocalSeat, LocalSeats } from './local-seats.js';
import type { SeatStore } from './seat-store.js';

/** What holding a dropped socket's seat for its resume takes. */
export interface SeatHoldDeps {
  seats: SeatStore;
  localSeats: LocalSeats;
  /** How long a dropped peer keeps its seat (RESUME_GRACE_MS). */
  resumeGraceMs: number;
  now(): number;
}

export interface LeaveDeps extends ClientEventDeps, SeatHoldDeps {
  departures: Departures;
  /** Async work that must finish before shutdown completes (seat hand-offs of dropped sockets). */
  track(work: Promise<unknown>): void;
}

/**
 * Leaving on purpose frees the seat at once and tells the room. A dropped connection only marks
 * the seat away: it is kept for the resume grace window, and the room hears `peer:left` from the
 * sweeper only if nobody resumes it in time.
 */
export function registerLeaveHandlers(deps: LeaveDeps, events: ClientEventRouter): void {
  events.on('room:leave', async (socket) => {
    const seat = deps.localSeats.of(socket);
    if (!seat) throw new AppError(ErrorCode.NOT_IN_ROOM);
    // Out of the room locally whatever Redis says: if it cannot answer, the lease runs out instead.
    deps.localSeats.detach(seat);
    try {
      const released = await deps.seats.releaseSeat(seat.roomId, seat.peerId, 'left', deps.now());
      if (released) await deps.departures.announce(seat.roomId, [{ peerId: seat.peerId, userId: released.userId }], 'left');
    } catch (error) {
      deps.logger.warn({ err: error, roomId: seat.roomId, peerId: seat.peerId }, 'could not release a seat; its lease will lapse');
    }
    return null;
  });

  events.onDisconnect((socket, reason) => {
    const seat = deps.localSeats.of(socket);
    if (!seat) return;
    deps.localSeats.detach(seat);
    deps.track(
      holdSeatForResume(deps, seat).then(
        () => deps.logger.info({ roomId: seat.roomId, peerId: seat.peerId, reason }, 'peer disconnected; seat held for resume'),
        (error: unknown) => deps.logger.warn({ err: error, roomId: seat.roomId, peerId: seat.peerId }, 'could not mark a seat away; its lease will lapse'),
      ),
    );
  });
}

/**
 * A detached seat's socket is gone: Redis keeps the seat for the resume window, and this replica
 * watches it until Redis is done with it, so it can put it back should Redis lose its data
 * meanwhile (the lease keeper does). If Redis cannot be told, the seat lapses with its lease.
 */
export async function holdSeatForResume(deps: SeatHoldDeps, seat: LocalSeat): Promise<void> {
  const now = deps.now();
  const graceUntil = now + deps.resumeGraceMs;
  try {
    // False when another socket took the seat over meanwhile: then it is not this replica's to watch.
    if (await deps.seats.markAway(seat.roomId, seat, graceUntil, now)) deps.localSeats.holdAway(seat, graceUntil, now);
  } catch (error) {
    deps.localSeats.holdAway(seat, seat.leaseRenewedAt + SEAT_LEASE_MS, seat.leaseRenewedAt);
    throw error;
  }
}
