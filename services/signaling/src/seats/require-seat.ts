import { AppError, ErrorCode } from '@meshcall/shared';
import type { SignalingContext } from '../context.js';
import type { LocalSeat } from './local-seats.js';
import type { SignalingSocket } from '../types.js';

/** The seat the socket holds on this replica, or NOT_IN_ROOM. */
export function requireSeat(ctx: SignalingContext, socket: SignalingSocket): LocalSeat {
  const seat = ctx.localSeats.of(socket);
  if (!seat) throw new AppError(ErrorCode.NOT_IN_ROOM);
  return seat;
}

/** Owner-only actions check the role the join ticket granted. */
export function requireOwner(ctx: SignalingContext, socket: SignalingSocket): LocalSeat {
  const seat = requireSeat(ctx, socket);
  if (seat.role !== 'owner') throw new AppError(ErrorCode.FORBIDDEN, 'Only the room owner may do that.');
  return seat;
}
