import { AppError, ErrorCode } from '@meshcall/shared';
import type { SignalingMetrics } from '../metrics.js';
import type { Notifier } from '../notifier.js';
import type { LocalSeats } from '../seats/local-seats.js';
import { requireSeat } from '../seats/require-seat.js';
import type { SeatStore } from '../seats/seat-store.js';
import type { ClientEventDeps, ClientEventRouter } from '../transport/client-event.js';

export interface MediaDeps extends ClientEventDeps {
  localSeats: LocalSeats;
  seats: SeatStore;
  notifier: Notifier;
  metrics: Pick<SignalingMetrics, 'reject' | 'relayed'>;
  now(): number;
}

/** `media:state`: own microphone/camera/screen state, stored for joiners and shown to the room. */
export function registerMediaHandlers(deps: MediaDeps, events: ClientEventRouter): void {
  events.on('media:state', async (socket, media) => {
    const seat = requireSeat(deps.localSeats, socket);
    if (!(await deps.seats.updateMedia(seat.roomId, seat.peerId, media, deps.now()))) throw new AppError(ErrorCode.NOT_IN_ROOM);
    seat.media = media;
    deps.notifier.fromPeerToRoom(socket, seat.roomId, seat.peerId, 'peer:media', { peerId: seat.peerId, ...media });
    deps.metrics.relayed.inc({ kind: 'media' });
    return null;
  });
}
