import { AppError, ErrorCode } from '@meshcall/shared';
import type { LocalSeat, LocalSeats } from './local-seats.js';
import type { SeatStore } from './seat-store.js';
import type { SignalingSocket } from '../types.js';

/** The seat the socket holds on this replica, or NOT_IN_ROOM. */
export function requireSeat(localSeats: LocalSeats, socket: SignalingSocket): LocalSeat {
  const seat = localSeats.of(socket);
  if (!seat) throw new AppError(ErrorCode.NOT_IN_ROOM);
  return seat;
}

/**
 * Moderation belongs to the room's host, which Redis names (the owner while seated, else whom it
 * passed to), not to the role of the join ticket: it changes hands while seats stay.
 */
export async function requireHost(localSeats: LocalSeats, seats: Pick<SeatStore, 'host'>, socket: SignalingSocket): Promise<LocalSeat> {
  const seat = requireSeat(localSeats, socket);
  if ((await seats.host(seat.roomId)) !== seat.peerId) throw new AppError(ErrorCode.FORBIDDEN, 'Only the host of the call may do that.');
  return seat;
}
