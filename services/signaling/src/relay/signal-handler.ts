import { AppError, ErrorCode } from '@meshcall/shared';
import type { SignalingContext } from '../context.js';
import type { SignalingSocket } from '../types.js';
import { onClientEvent } from '../transport/client-event.js';
import { requireSeat } from '../seats/require-seat.js';

/**
 * `signal`: an SDP description or ICE candidate for one named peer. Redis decides whether the
 * recipient sits in the sender's room (a peer id of another room is simply not found) and keeps
 * the signal for a resume; a recipient on this replica gets it from here, any other from its own
 * replica. The sender's ack, and the delivery, wait until the signal is stored; if Redis cannot
 * answer, nothing is relayed.
 */
export function registerSignalHandlers(ctx: SignalingContext, socket: SignalingSocket): void {
  onClientEvent(ctx, socket, 'signal', async (payload) => {
    const seat = requireSeat(ctx, socket);
    if (payload.to === seat.peerId) throw new AppError(ErrorCode.PEER_NOT_FOUND, 'A peer cannot signal itself.');
    const message =
      payload.description !== undefined
        ? { from: seat.peerId, description: payload.description }
        : { from: seat.peerId, candidate: payload.candidate ?? null };
    const sentAt = ctx.now();
    const result = await ctx.signals.relay(seat.roomId, seat.peerId, payload.to, message);
    if (!result.ok) throw new AppError(result.reason === 'NOT_IN_ROOM' ? ErrorCode.NOT_IN_ROOM : ErrorCode.PEER_NOT_FOUND);
    if (result.recipientHere) ctx.inbox.receive(seat.roomId, payload.to, { seq: result.seq, message, sentAt, fromReplica: ctx.config.REPLICA_ID });
    ctx.metrics.relayed.inc({ kind: 'signal' });
    return null;
  });
}
