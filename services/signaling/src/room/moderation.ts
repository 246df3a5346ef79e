import { AppError, ErrorCode } from '@meshcall/shared';
import type { SignalingContext } from '../context.js';
import type { SignalingSocket } from '../types.js';
import { onClientEvent } from '../transport/client-event.js';
import { requireOwner } from '../seats/require-seat.js';

/**
 * Owner-only moderation. A kick frees the seat at once, tells the kicked socket (on whichever
 * replica) `room:kicked` and everyone else `peer:left`, and bans the account from the room: no
 * ticket, earlier or fresh, seats it again until the owner lifts the ban through rooms. A lock
 * sets the shared Redis flag and announces it on the room-events channel, which the rooms
 * service and every signaling replica follow.
 */
export function registerModerationHandlers(ctx: SignalingContext, socket: SignalingSocket): void {
  onClientEvent(ctx, socket, 'room:kick', async ({ peerId }) => {
    const seat = requireOwner(ctx, socket);
    if (peerId === seat.peerId) throw new AppError(ErrorCode.FORBIDDEN, 'Use room:leave to leave the room.');
    const released = await ctx.seats.releaseSeat(seat.roomId, peerId, 'kicked', ctx.now());
    if (!released) throw new AppError(ErrorCode.PEER_NOT_FOUND);
    ctx.logger.info({ roomId: seat.roomId, peerId, by: seat.peerId }, 'peer kicked');
    await ctx.departures.announce(seat.roomId, [{ peerId, userId: released.userId }], 'kicked');
    return null;
  });

  onClientEvent(ctx, socket, 'room:lock', async ({ locked }) => {
    const seat = requireOwner(ctx, socket);
    if (!(await ctx.flags.setLocked(seat.roomId, seat.peerId, locked, ctx.now()))) throw new AppError(ErrorCode.NOT_IN_ROOM);
    return { locked };
  });
}
