import { nanoid } from 'nanoid';
import { AppError, ErrorCode, roomIdSchema, type JoinTicketClaims } from '@meshcall/shared';
import type { JwtVerifier } from '@meshcall/server-kit';
import type { Notifier } from '../notifier.js';
import type { LocalSeats } from '../seats/local-seats.js';
import { requireSeat } from '../seats/require-seat.js';
import type { ClientEventDeps, ClientEventRouter } from '../transport/client-event.js';
import { knockChannel, type SignalingSocket } from '../types.js';
import type { KnockResult, KnockStore } from './knock-store.js';

export interface KnockDeps extends ClientEventDeps {
  tickets: JwtVerifier<JoinTicketClaims>;
  localSeats: LocalSeats;
  knocks: KnockStore;
  notifier: Notifier;
  /** How long a knock waits for the host's answer (KNOCK_TIMEOUT_MS). */
  knockTimeoutMs: number;
  /** Async work that must finish before shutdown completes (withdrawing a dropped knocker's knock). */
  track(work: Promise<unknown>): void;
  now(): number;
}

const refusalOfKnock: Record<Exclude<KnockResult, { ok: true }>['reason'], AppError> = {
  ROOM_CLOSED: new AppError(ErrorCode.ROOM_CLOSED),
  BANNED: new AppError(ErrorCode.BANNED),
  TICKET_USED: new AppError(ErrorCode.TICKET_INVALID, 'This ticket was already used; ask for a new one.'),
  COOLING_DOWN: new AppError(ErrorCode.RATE_LIMITED, 'You asked a moment ago; wait a few seconds before asking again.'),
  NO_HOST: new AppError(ErrorCode.NO_HOST),
};

/**
 * Knocking on a locked room. The knocker brings a ticket from rooms (asked for with `knock`), so
 * access, invite and capacity were checked there; the knock script checks the ban, the close and
 * that someone hosts. The host (on any replica, through its peer channel) sees the knock and
 * admits or declines it; the knocker hears the answer through its knock channel, wherever it is.
 * An admission is a short-lived key that rooms and take-seat honour past the lock, once. The
 * knocker's own replica times the knock out, and withdraws it when the knocker cancels or drops.
 */
export function registerKnockHandlers(deps: KnockDeps, events: ClientEventRouter): void {
  /** Each knocking socket's knock while it waits for an answer. */
  const waiting = new WeakMap<SignalingSocket, { roomId: string; knockId: string; timer: NodeJS.Timeout }>();
  /** Sockets whose room:knock is being handled, so one socket cannot race itself into two knocks. */
  const knocking = new WeakSet<SignalingSocket>();

  const stopWaiting = (socket: SignalingSocket) => {
    const knock = waiting.get(socket);
    if (!knock) return undefined;
    clearTimeout(knock.timer);
    void socket.leave(knockChannel(knock.knockId));
    waiting.delete(socket);
    return knock;
  };

  /** Ends our knock if nobody answered it yet; the host's notice goes, and `timeout` tells the knocker why. */
  const withdraw = async (socket: SignalingSocket, outcome?: 'timeout') => {
    const knock = stopWaiting(socket);
    if (!knock) return false;
    if (!(await deps.knocks.end(knock.roomId, knock.knockId, socket.data.userId, deps.now()))) return false;
    deps.notifier.toRoom(knock.roomId, 'room:knock-withdrawn', { knockId: knock.knockId });
    if (outcome) deps.notifier.toSocket(socket, 'room:knock-result', { outcome });
    return true;
  };

  events.on('room:knock', async (socket, { ticket }) => {
    if (knocking.has(socket) || deps.localSeats.of(socket)) throw new AppError(ErrorCode.CONFLICT, 'This socket is in a room already, or asking to join one.');
    knocking.add(socket);
    try {
      // A knock answered by the host (on another replica) is no longer ours to wait for.
      const earlier = waiting.get(socket);
      if (earlier && (await deps.knocks.isWaiting(earlier.roomId, earlier.knockId))) {
        throw new AppError(ErrorCode.CONFLICT, 'You are already asking to join; cancel that first.');
      }
      stopWaiting(socket);
      const claims = await deps.tickets.verify(ticket);
      if (claims.sub !== socket.data.userId) throw new AppError(ErrorCode.TICKET_INVALID, 'The ticket was issued to someone else.');
      const roomId = roomIdSchema.safeParse(claims.room);
      if (!roomId.success) throw new AppError(ErrorCode.TICKET_INVALID);
      const knockId = nanoid(16);
      const knocked = await deps.knocks.knock({ roomId: roomId.data, knockId, userId: socket.data.userId, name: claims.name, jti: claims.jti }, deps.now());
      if (!knocked.ok) throw refusalOfKnock[knocked.reason];
      await socket.join(knockChannel(knockId));
      const timer = setTimeout(() => {
        deps.track(withdraw(socket, 'timeout').catch((error: unknown) => deps.logger.warn({ err: error, roomId: roomId.data, knockId }, 'could not end a knock that timed out')));
      }, deps.knockTimeoutMs);
      waiting.set(socket, { roomId: roomId.data, knockId, timer });
      deps.notifier.toPeer(knocked.host, 'room:knock-request', { knockId, name: claims.name });
      deps.logger.info({ roomId: roomId.data, knockId }, 'knock on a locked room');
      return { knockId };
    } finally {
      knocking.delete(socket);
    }
  });

  events.on('room:knock-cancel', async (socket) => {
    if (!(await withdraw(socket))) throw new AppError(ErrorCode.KNOCK_NOT_FOUND);
    return null;
  });

  events.on('room:answer-knock', async (socket, { knockId, admit }) => {
    const seat = requireSeat(deps.localSeats, socket);
    const answered = await deps.knocks.answer(seat.roomId, knockId, seat.peerId, admit, deps.now());
    if (!answered.ok) {
      throw answered.reason === 'FORBIDDEN' ? new AppError(ErrorCode.FORBIDDEN, 'Only the host of the call may let people in.') : new AppError(ErrorCode.KNOCK_NOT_FOUND);
    }
    deps.notifier.toKnocker(knockId, 'room:knock-result', { outcome: admit ? 'admitted' : 'declined' });
    deps.logger.info({ roomId: seat.roomId, knockId, admit, by: seat.peerId }, 'knock answered');
    return null;
  });

  events.onDisconnect((socket) => {
    if (waiting.has(socket)) deps.track(withdraw(socket).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not withdraw a dropped knocker’s knock')));
  });
}
