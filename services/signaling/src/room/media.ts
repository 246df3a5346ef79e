import { AppError, ErrorCode } from '@meshcall/shared';
import type { SignalingContext } from '../context.js';
import { peerChannel, roomChannel, type SignalingSocket } from '../types.js';
import { onClientEvent } from '../transport/client-event.js';
import { requireSeat } from '../seats/require-seat.js';

/** `media:state`: own microphone/camera/screen state, stored for joiners and shown to the room. */
export function registerMediaHandlers(ctx: SignalingContext, socket: SignalingSocket): void {
  onClientEvent(ctx, socket, 'media:state', async (media) => {
    const seat = requireSeat(ctx, socket);
    if (!(await ctx.seats.updateMedia(seat.roomId, seat.peerId, media, ctx.now()))) throw new AppError(ErrorCode.NOT_IN_ROOM);
    seat.media = media;
    socket.to(roomChannel(seat.roomId)).except(peerChannel(seat.peerId)).emit('peer:media', { peerId: seat.peerId, ...media });
    ctx.metrics.relayed.inc({ kind: 'media' });
    return null;
  });
}
