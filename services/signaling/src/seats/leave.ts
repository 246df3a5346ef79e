import { AppError, ErrorCode, SEAT_LEASE_MS } from '@meshcall/shared';
import type { SignalingContext } from '../context.js';
import type { LocalSeat } from './local-seats.js';
import type { SignalingSocket } from '../types.js';
import { onClientEvent } from '../transport/client-event.js';

/**
 * Leaving on purpose frees the seat at once and tells the room. A dropped connection only marks
 * the seat away: it is kept for the resume grace window, and the room hears `peer:left` from the
 * sweeper only if nobody resumes it in time.
 */
export function registerLeaveHandlers(ctx: SignalingContext, socket: SignalingSocket): void {
  onClientEvent(
    ctx,
    socket,
    'room:leave',
    async () => {
      const seat = ctx.localSeats.of(socket);
      if (!seat) throw new AppError(ErrorCode.NOT_IN_ROOM);
      // Out of the room locally whatever Redis says: if it cannot answer, the lease runs out instead.
      ctx.localSeats.detach(seat);
      try {
        const released = await ctx.seats.releaseSeat(seat.roomId, seat.peerId, 'left', ctx.now());
        if (released) await ctx.departures.announce(seat.roomId, [{ peerId: seat.peerId, userId: released.userId }], 'left');
      } catch (error) {
        ctx.logger.warn({ err: error, roomId: seat.roomId, peerId: seat.peerId }, 'could not release a seat; its lease will lapse');
      }
      return null;
    },
  );

  socket.on('disconnect', (reason) => {
    const seat = ctx.localSeats.of(socket);
    if (!seat) return;
    ctx.localSeats.detach(seat);
    ctx.track(
      holdSeatForResume(ctx, seat).then(
        () => ctx.logger.info({ roomId: seat.roomId, peerId: seat.peerId, reason }, 'peer disconnected; seat held for resume'),
        (error: unknown) => ctx.logger.warn({ err: error, roomId: seat.roomId, peerId: seat.peerId }, 'could not mark a seat away; its lease will lapse'),
      ),
    );
  });
}

/**
 * A detached seat's socket is gone: Redis keeps the seat for the resume window, and this replica
 * watches it until Redis is done with it, so it can put it back should Redis lose its data
 * meanwhile (the lease keeper does). If Redis cannot be told, the seat lapses with its lease.
 */
export async function holdSeatForResume(ctx: SignalingContext, seat: LocalSeat): Promise<void> {
  const now = ctx.now();
  const graceUntil = now + ctx.config.RESUME_GRACE_MS;
  try {
    // False when another socket took the seat over meanwhile: then it is not this replica's to watch.
    if (await ctx.seats.markAway(seat.roomId, seat, graceUntil, now)) ctx.localSeats.holdAway(seat, graceUntil, now);
  } catch (error) {
    ctx.localSeats.holdAway(seat, seat.leaseRenewedAt + SEAT_LEASE_MS, seat.leaseRenewedAt);
    throw error;
  }
}
