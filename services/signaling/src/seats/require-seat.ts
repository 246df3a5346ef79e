import { AppError, ErrorCode } from '@meshcall/shared';
import type { LocalSeat, LocalSeats } from './local-seats.js';
import type { SignalingSocket } from '../types.js';

/** The seat the socket holds on this replica, or NOT_IN_ROOM. */
export function requireSeat(localSeats: LocalSeats, socket: SignalingSocket): LocalSeat {
  const seat = localSeats.of(socket);
  if (!seat) throw new AppError(ErrorCode.NOT_IN_ROOM);
  return seat;
}

/** Owner-only actions check the role the join ticket granted. */
export function requireOwner(localSeats: LocalSeats, socket: SignalingSocket): LocalSeat {
  const seat = requireSeat(localSeats, socket);
  if (seat.role !== 'owner') throw new AppError(ErrorCode.FORBIDDEN, 'Only the room owner may do that.');
  return seat;
}
