import { createHash } from 'node:crypto';
import { nanoid } from 'nanoid';
import { z } from 'zod';
import {
  AppError,
  CHAT_HISTORY_ON_JOIN,
  ErrorCode,
  SEAT_LEASE_MS,
  resumeSchema,
  roomIdSchema,
  type GameState,
  type JoinPayload,
  type JoinResult,
  type JoinTicketClaims,
  type MediaState,
} from '@meshcall/shared';
import type { JwtVerifier } from '@meshcall/server-kit';
import type { Notifier } from '../notifier.js';
import type { LocalSeat } from './local-seats.js';
import { planReplay } from './replay-plan.js';
import type { RoomSnapshot, TakeSeatResult } from './seat-store.js';
import type { SignalingSocket } from '../types.js';
import type { ClientEventDeps, ClientEventRouter, HandlerTools } from '../transport/client-event.js';
import type { Departures } from './departures.js';
import { holdSeatForResume, type SeatHoldDeps } from './leave.js';
import type { GameSeating, ResumeDelivery } from './seat-neighbours.js';

type TicketJoin = Extract<JoinPayload, { ticket: string }>;

const MUTED: MediaState = { audio: false, video: false, screen: false };

/** Resume tokens are kept hashed: a Redis dump does not hand out seats. */
export function hashResumeToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export interface JoinDeps extends ClientEventDeps, SeatHoldDeps {
  tickets: JwtVerifier<JoinTicketClaims>;
  players: GameSeating;
  inbox: ResumeDelivery;
  departures: Departures;
  notifier: Notifier;
  /** Names this replica in a seat's route (`replicaId|socketId`), where its signals are published. */
  replicaId: string;
}

function routeOf(deps: JoinDeps, socket: SignalingSocket): string {
  return `${deps.replicaId}|${socket.id}`;
}

const refusalOfTakeSeat: Record<Exclude<TakeSeatResult, { ok: true }>['reason'], AppError> = {
  ROOM_CLOSED: new AppError(ErrorCode.ROOM_CLOSED),
  ROOM_LOCKED: new AppError(ErrorCode.ROOM_LOCKED),
  ROOM_FULL: new AppError(ErrorCode.ROOM_FULL),
  TICKET_USED: new AppError(ErrorCode.TICKET_INVALID, 'This ticket was already used; ask for a new one.'),
  BANNED: new AppError(ErrorCode.BANNED),
};

/**
 * `room:join`: a ticket takes a new seat (capacity, lock, close and bans checked in one script;
 * an account's earlier seat in the room is taken over, not doubled), a resume takes a held seat
 * back, on any replica. Sockets that are mid-join are remembered so that one socket cannot race
 * itself into two seats.
 */
export function registerJoinHandlers(deps: JoinDeps, events: ClientEventRouter): void {
  const joining = new WeakSet<SignalingSocket>();
  events.on('room:join', async (socket, payload, tools) => {
    if (joining.has(socket) || deps.localSeats.of(socket)) throw new AppError(ErrorCode.CONFLICT, 'This socket already holds a seat; leave the room first.');
    joining.add(socket);
    try {
      return 'ticket' in payload ? await joinWithTicket(deps, socket, payload) : await resume(deps, socket, payload.resume, tools);
    } finally {
      joining.delete(socket);
    }
  });
}

async function joinWithTicket(deps: JoinDeps, socket: SignalingSocket, request: TicketJoin): Promise<JoinResult> {
  const claims = await deps.tickets.verify(request.ticket);
  if (claims.sub !== socket.data.userId) throw new AppError(ErrorCode.TICKET_INVALID, 'The ticket was issued to someone else.');
  // Belt and braces: rooms only hands a guest a guest ticket for the guest's own room.
  if (socket.data.guestOf !== undefined && (!claims.guest || claims.room !== socket.data.guestOf)) {
    throw new AppError(ErrorCode.TICKET_INVALID, 'A guest may only join the room they were invited to.');
  }
  const roomId = roomIdSchema.safeParse(claims.room);
  if (!roomId.success) throw new AppError(ErrorCode.TICKET_INVALID);

  const peerId = nanoid(16);
  const resumeToken = nanoid(32);
  const resumeTokenHash = hashResumeToken(resumeToken);
  // A name for this call only lives in the seat record: everyone's view, chat and a resume read it there.
  const record = { peerId, userId: socket.data.userId, name: request.name ?? claims.name, role: claims.role, guest: claims.guest };
  const now = deps.now();
  const taken = await deps.seats.takeSeat(
    {
      roomId: roomId.data,
      record,
      media: MUTED,
      route: routeOf(deps, socket),
      resumeTokenHash,
      leaseUntil: now + SEAT_LEASE_MS,
      owner: claims.role === 'owner',
      ticket: { jti: claims.jti, issuedAt: claims.iat, expiresAtMs: claims.exp * 1000, capacity: claims.cap, kind: claims.kind },
    },
    now,
  );
  if (taken.expired.length > 0) void deps.departures.announce(roomId.data, taken.expired, 'disconnected');
  if (!taken.ok) throw refusalOfTakeSeat[taken.reason];
  // The script told the replaced seats' sockets (through their replica's inbox, this one included).
  // Awaited, so the room hears the old seat leave before the new one joins.
  if (taken.replaced.length > 0) await deps.departures.announce(roomId.data, taken.replaced, 'replaced');

  const seat = deps.localSeats.attach({
    peerId,
    roomId: roomId.data,
    role: claims.role,
    room: { capacity: taken.capacity, kind: claims.kind },
    route: routeOf(deps, socket),
    record,
    media: MUTED,
    resumeTokenHash,
    deliveredSeq: 0,
    socket,
    leaseRenewedAt: now,
  });
  try {
    if (!socket.connected) throw new AppError(ErrorCode.UNAVAILABLE, 'The connection closed while joining.');
    const [snapshot] = await Promise.all([deps.seats.snapshot(roomId.data, CHAT_HISTORY_ON_JOIN, deps.now()), taken.leaseIndexed]);
    const game = claims.kind === 'game' ? await deps.players.takeMark(seat) : null;
    deps.notifier.fromSocketToRoom(socket, roomId.data, 'peer:joined', { ...record, media: MUTED });
    return {
      peerId,
      role: claims.role,
      resumeToken,
      room: { id: roomId.data, kind: claims.kind, capacity: taken.capacity, locked: snapshot.locked },
      host: snapshot.host,
      peers: snapshot.peers.filter((peer) => peer.peerId !== peerId),
      chat: snapshot.chat,
      game,
      resync: false,
    };
  } catch (error) {
    // Half a join is worse than none: give the seat back so the room is not one short.
    deps.localSeats.detach(seat);
    await deps.seats.releaseSeat(roomId.data, peerId, 'left', deps.now()).catch(() => undefined);
    throw error;
  }
}

async function resume(
  deps: JoinDeps,
  socket: SignalingSocket,
  request: z.infer<typeof resumeSchema>,
  tools: HandlerTools,
): Promise<JoinResult> {
  const { roomId, peerId } = request;
  const resumeTokenHash = hashResumeToken(request.resumeToken);
  if (!deps.inbox.hold(peerId)) throw new AppError(ErrorCode.CONFLICT, 'This seat is being resumed already.');
  let held = true;
  try {
    const now = deps.now();
    const resumed = await deps.seats.resumeSeat(
      {
        roomId,
        peerId,
        userId: socket.data.userId,
        resumeTokenHash,
        route: routeOf(deps, socket),
        leaseUntil: now + SEAT_LEASE_MS,
      },
      now,
    );
    if (!resumed.ok) {
      throw resumed.reason === 'ROOM_CLOSED'
        ? new AppError(ErrorCode.ROOM_CLOSED)
        : new AppError(ErrorCode.TICKET_INVALID, 'That seat is gone; join the room again with a new ticket.');
    }
    // An older socket of this seat on this very replica lets go now (its eviction message only matches it).
    const previous = deps.localSeats.get(peerId);
    if (previous) {
      deps.localSeats.detach(previous);
      previous.socket.disconnect(true);
    }
    const lastSeen = request.lastSignalSeq ?? (resumed.awayAtSeq >= 0 ? resumed.awayAtSeq : undefined);
    const plan = planReplay(resumed.mailbox, resumed.currentSeq, lastSeen);
    const seat: LocalSeat = deps.localSeats.attach({
      peerId,
      roomId,
      role: resumed.record.role,
      room: { capacity: resumed.capacity, kind: resumed.kind },
      route: routeOf(deps, socket),
      record: resumed.record,
      media: resumed.media,
      resumeTokenHash,
      // Replayed entries advance it; held live signals at or below it are duplicates.
      deliveredSeq: plan.resync ? plan.deliveredSeq : (lastSeen ?? 0),
      socket,
      leaseRenewedAt: now,
    });
    let snapshot: RoomSnapshot;
    let game: GameState | null;
    try {
      snapshot = await deps.seats.snapshot(roomId, CHAT_HISTORY_ON_JOIN, deps.now());
      game = resumed.kind === 'game' ? await deps.players.board(roomId) : null;
    } catch (error) {
      // Keep the seat for another attempt, exactly as if the socket had dropped.
      deps.localSeats.detach(seat);
      await holdSeatForResume(deps, seat).catch(() => undefined);
      throw error;
    }
    held = false;
    tools.afterAck(() => {
      for (const entry of plan.replay) deps.inbox.deliver(seat, entry);
      for (const signal of deps.inbox.release(peerId)) deps.inbox.deliver(seat, signal);
    });
    deps.logger.info({ roomId, peerId, replayed: plan.replay.length, resync: plan.resync }, 'seat resumed');
    return {
      peerId,
      role: resumed.record.role,
      resumeToken: request.resumeToken,
      room: { id: roomId, kind: resumed.kind, capacity: resumed.capacity, locked: snapshot.locked },
      host: snapshot.host,
      peers: snapshot.peers.filter((peer) => peer.peerId !== peerId),
      chat: snapshot.chat,
      game,
      resync: plan.resync,
    };
  } finally {
    if (held) deps.inbox.release(peerId);
  }
}
