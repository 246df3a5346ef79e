import { AppError, ErrorCode } from '@meshcall/shared';
import type { SignalingMetrics } from '../metrics.js';
import type { LocalSeats } from '../seats/local-seats.js';
import { requireSeat } from '../seats/require-seat.js';
import type { ClientEventDeps, ClientEventRouter } from '../transport/client-event.js';
import type { ReplicaInbox } from './replica-inbox.js';
import type { SignalRelay } from './signal-relay.js';

export interface SignalDeps extends ClientEventDeps {
  localSeats: LocalSeats;
  signals: SignalRelay;
  inbox: ReplicaInbox;
  metrics: Pick<SignalingMetrics, 'reject' | 'relayed'>;
  replicaId: string;
  now(): number;
}

/**
 * `signal`: an SDP description or ICE candidate for one named peer. Redis decides whether the
 * recipient sits in the sender's room (a peer id of another room is simply not found) and keeps
 * the signal for a resume; a recipient on this replica gets it from here, any other from its own
 * replica. The sender's ack, and the delivery, wait until the signal is stored; if Redis cannot
 * answer, nothing is relayed.
 */
export function registerSignalHandlers(deps: SignalDeps, events: ClientEventRouter): void {
  events.on('signal', async (socket, payload) => {
    const seat = requireSeat(deps.localSeats, socket);
    if (payload.to === seat.peerId) throw new AppError(ErrorCode.PEER_NOT_FOUND, 'A peer cannot signal itself.');
    const message =
      payload.description !== undefined
        ? { from: seat.peerId, description: payload.description }
        : { from: seat.peerId, candidate: payload.candidate ?? null };
    const sentAt = deps.now();
    const result = await deps.signals.relay(seat.roomId, seat.peerId, payload.to, message);
    if (!result.ok) throw new AppError(result.reason === 'NOT_IN_ROOM' ? ErrorCode.NOT_IN_ROOM : ErrorCode.PEER_NOT_FOUND);
    if (result.recipientHere) deps.inbox.receive(seat.roomId, payload.to, { seq: result.seq, message, sentAt, fromReplica: deps.replicaId });
    deps.metrics.relayed.inc({ kind: 'signal' });
    return null;
  });
}
