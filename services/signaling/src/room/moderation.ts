import { AppError, ErrorCode } from '@meshcall/shared';
import type { Departures } from '../seats/departures.js';
import type { LocalSeats } from '../seats/local-seats.js';
import { requireHost } from '../seats/require-seat.js';
import type { SeatStore } from '../seats/seat-store.js';
import type { ClientEventDeps, ClientEventRouter } from '../transport/client-event.js';
import type { Notifier } from '../notifier.js';
import type { RoomFlags } from './room-flags.js';

export interface ModerationDeps extends ClientEventDeps {
  localSeats: LocalSeats;
  seats: SeatStore;
  flags: RoomFlags;
  departures: Departures;
  notifier: Notifier;
  now(): number;
}

/**
 * Moderation, for the room's host: the owner while seated, else the peer it passed to when the
 * host left (see `make_host` in room-prelude.lua); Redis decides, at each action. A kick frees the seat at once, tells the kicked socket (on whichever
 * replica) `room:kicked` and everyone else `peer:left`, and bans the account from the room: no
 * ticket, earlier or fresh, seats it again until the owner lifts the ban through rooms. A lock
 * sets the shared Redis flag and announces it on the room-events channel, which the rooms
 * service and every signaling replica follow. Ending the call frees every seat (each socket hears
 * `room:ended` through its replica) and leaves the room, its invite and its bans for the next
 * call; closing the room for good is the rooms service's `DELETE`. Asking someone to mute only
 * asks: their client puts the question to them.
 */
export function registerModerationHandlers(deps: ModerationDeps, events: ClientEventRouter): void {
  events.on('room:kick', async (socket, { peerId }) => {
    const seat = await requireHost(deps.localSeats, deps.seats, socket);
    if (peerId === seat.peerId) throw new AppError(ErrorCode.FORBIDDEN, 'Use room:leave to leave the room.');
    const released = await deps.seats.releaseSeat(seat.roomId, peerId, 'kicked', deps.now());
    if (!released) throw new AppError(ErrorCode.PEER_NOT_FOUND);
    deps.logger.info({ roomId: seat.roomId, peerId, by: seat.peerId }, 'peer kicked');
    await deps.departures.announce(seat.roomId, [{ peerId, userId: released.userId }], 'kicked');
    return null;
  });

  events.on('room:lock', async (socket, { locked }) => {
    const seat = await requireHost(deps.localSeats, deps.seats, socket);
    if (!(await deps.flags.setLocked(seat.roomId, seat.peerId, locked, deps.now()))) throw new AppError(ErrorCode.NOT_IN_ROOM);
    return { locked };
  });

  events.on('room:end', async (socket) => {
    const seat = await requireHost(deps.localSeats, deps.seats, socket);
    const freed = await deps.seats.endCall(seat.roomId, deps.now());
    deps.logger.info({ roomId: seat.roomId, by: seat.peerId, freed }, 'call ended for everyone');
    return null;
  });

  events.on('peer:ask-mute', async (socket, { peerId }) => {
    const seat = await requireHost(deps.localSeats, deps.seats, socket);
    if (peerId === seat.peerId) throw new AppError(ErrorCode.FORBIDDEN, 'Mute yourself instead.');
    const { peers } = await deps.seats.snapshot(seat.roomId, 0, deps.now());
    if (!peers.some((peer) => peer.peerId === peerId)) throw new AppError(ErrorCode.PEER_NOT_FOUND);
    deps.notifier.toPeer(peerId, 'peer:mute-requested', { from: seat.peerId });
    return null;
  });
}
