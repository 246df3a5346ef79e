import { nanoid } from 'nanoid';
import type { FastifyBaseLogger } from 'fastify';
import {
  AppError,
  ErrorCode,
  GAME_ROOM_CAPACITY,
  type JoinRoomResponse,
  type ListMyRoomsQuery,
  type ListRoomsQuery,
  type LobbyEvent,
  type Room,
  type RoomBan,
  type RoomKind,
  type RoomListResponse,
  type RoomPageResponse,
  type RoomPreview,
  type RoomVisibility,
  searchPrefixes,
} from '@meshcall/shared';
import type { RoomEventPublisher } from '../events/room-event-publisher.js';
import type { LiveRoomStore } from '../repositories/live-room-store.js';
import type { LobbyReadModel } from '../repositories/lobby-read-model.js';
import type { RoomChanges, RoomRecord, RoomRepository } from '../repositories/room-record.js';
import type { JoinTicketIssuer } from '../tickets/join-ticket.js';
import { createIceServers, type IceServersGrant } from '../turn/ice-servers.js';
import type { TurnGrantLimiter } from '../turn/turn-grant-limiter.js';
import type { TurnServer } from '../turn/turn-server-list.js';
import { accessTo, guestAccessTo, inviteLinkCheck, type RoomAccess } from './access.js';
import { planInvitations } from './invitations.js';
import type { ListCursorCodec } from './list-cursor.js';
import type { RoomCreationLimits } from './room-creation-limits.js';
import type { FixedWindowRate } from './fixed-window-rate.js';
import { toRoomView } from './room-view.js';

/** Who a request acts for, from the access token (an account) or a guest token. */
export interface Caller {
  id: string;
  name: string;
  /** Set for a guest: the one room their guest token opens. Accounts have none. */
  guestOf?: string;
}

export interface NewRoomInput {
  name: string;
  kind: RoomKind;
  visibility: RoomVisibility;
  capacity: number;
  allowedUsers: string[];
  guestAccess: boolean;
}

/** Where a room is read from: the lobby read model (fast) or MongoDB (the source of truth). */
type RoomSource = 'read-model' | 'database';

const ROOM_ID_LENGTH = 10;
const INVITE_CODE_LENGTH = 16;

export interface RoomServiceDeps {
  /** The source of truth. */
  rooms: RoomRepository;
  /** What join tickets, the lobby and the quota read; mirrored after every write to `rooms`. */
  lobby: LobbyReadModel;
  /** Signs and checks the lobby's page cursors. */
  cursors: ListCursorCodec;
  live: LiveRoomStore;
  events: RoomEventPublisher;
  tickets: JoinTicketIssuer;
  limits: RoomCreationLimits;
  /** How often an owner may replace invite codes (each is a database write and a lobby mirror). */
  inviteRotations: FixedWindowRate;
  turn: {
    /** The server a room's peers all get (TurnServerPool: a hash on the room over the healthy ones). */
    serverFor: (roomId: string) => TurnServer;
    secret: string;
    credentialTtlSeconds: number;
  };
  /** Bounds the TURN credentials handed out per user and per room. */
  turnGrants: TurnGrantLimiter;
  /** Total video upload per participant, handed out with every join (VIDEO_UPLOAD_BUDGET_KBPS). */
  videoUploadBudgetKbps: number;
  log: FastifyBaseLogger;
  /** Called for every ticket handed out (metrics). */
  onTicketIssued?: () => void;
  now?: () => Date;
}

/** The owner may not be on their own guest list; duplicates are dropped. */
function normalizedAllowedUsers(users: string[], ownerId: string): string[] {
  return [...new Set(users)].filter((user) => user !== ownerId);
}

/** Room rules: who may see, change, close and join a room, and what each of those does. */
export class RoomService {
  private readonly now: () => Date;

  constructor(private readonly deps: RoomServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Refused past the account's creation rate (429) or room quota (403); see RoomCreationLimits. */
  async create(caller: Caller, input: NewRoomInput): Promise<Room> {
    const reservation = await this.deps.limits.reserve(caller.id, () => this.openRoomCount(caller.id));
    let record: RoomRecord;
    try {
      record = await this.storeNewRoom(caller, input);
      // Before the reservation goes, so a creation racing this one sees the room in the count.
      await this.deps.lobby.mirror(record);
    } finally {
      await reservation.release().catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not release a room quota reservation'));
    }
    const empty = { count: 0, locked: false };
    if (record.visibility === 'public') await this.announce({ type: 'room:created', room: toRoomView(record, empty, null) });
    return toRoomView(record, empty, caller.id);
  }

  /**
   * What an invite link shows before anyone signs in: the room's name and kind and whether guests
   * may join, for the holder of the current invite code only (a wrong code is 403, as for a
   * signed-in caller; no code, or a room without invite links, 404). Nothing else: no owner, no
   * occupancy, no guest list.
   */
  async preview(id: string, invite: string): Promise<RoomPreview> {
    const record = await this.roomById(id);
    if (!record) throw new AppError(ErrorCode.NOT_FOUND, 'No such room.');
    const link = inviteLinkCheck(record, invite);
    if (link !== 'valid') this.refuse(link);
    if (record.closedAt) throw new AppError(ErrorCode.ROOM_CLOSED);
    return { id: record.id, name: record.name, kind: record.kind, guestAccess: record.guestAccess };
  }

  private storeNewRoom(caller: Caller, input: NewRoomInput): Promise<RoomRecord> {
    return this.deps.rooms.create({
      id: nanoid(ROOM_ID_LENGTH),
      name: input.name,
      kind: input.kind,
      visibility: input.visibility,
      // A tic-tac-toe game has two players; the schema documents that game rooms get 2 whatever is asked.
      capacity: input.kind === 'game' ? GAME_ROOM_CAPACITY : input.capacity,
      ownerId: caller.id,
      ownerName: caller.name,
      // Being put on a list grants nothing until the invitee accepts.
      invitedUsers: normalizedAllowedUsers(input.allowedUsers, caller.id),
      inviteCode: input.visibility === 'private' ? nanoid(INVITE_CODE_LENGTH) : null,
      guestAccess: input.guestAccess,
    });
  }

  /** The quota's count: the owner's set in the read model, or MongoDB while the model is being rebuilt. */
  private async openRoomCount(ownerId: string): Promise<number> {
    return (await this.deps.lobby.openRoomsOwnedBy(ownerId)) ?? this.deps.rooms.countOpenOwnedBy(ownerId);
  }

  /**
   * One page of open public rooms from the read model. The cursor is checked before anything
   * else, so a bad one is a 400 whatever the query; a search without a letter or digit matches
   * nothing.
   */
  async listPublic(query: ListRoomsQuery): Promise<RoomPageResponse> {
    const prefixes = query.q ? searchPrefixes(query.q) : [];
    const scope = JSON.stringify({ sort: query.sort, kind: query.kind ?? null, prefixes });
    const after = query.cursor === undefined ? null : this.deps.cursors.decode(scope, query.cursor);
    if (query.q && prefixes.length === 0) return { items: [], nextCursor: null, total: 0, totalIsLowerBound: false };
    const page = await this.deps.lobby.page({ sort: query.sort, kind: query.kind, prefixes, after, limit: query.pageSize });
    if (page === 'not-built') throw new AppError(ErrorCode.UNAVAILABLE, 'The lobby is being rebuilt; try again in a few seconds.');
    const records = await this.deps.lobby.findMany(page.ids);
    return {
      items: await this.views(records, null),
      nextCursor: page.next ? this.deps.cursors.encode(scope, page.next) : null,
      total: page.total,
      totalIsLowerBound: page.totalIsLowerBound,
    };
  }

  async listMine(caller: Caller, paging: ListMyRoomsQuery): Promise<RoomListResponse> {
    const skip = (paging.page - 1) * paging.pageSize;
    const [records, total] = await Promise.all([
      this.deps.rooms.listForMember(caller.id, { skip, limit: paging.pageSize }),
      this.deps.rooms.countForMember(caller.id),
    ]);
    return { items: await this.views(records, caller.id), page: paging.page, pageSize: paging.pageSize, total };
  }

  async get(caller: Caller, id: string, invite?: string): Promise<Room> {
    const { record } = await this.visibleRoom(caller, id, invite);
    if (record.closedAt) throw new AppError(ErrorCode.ROOM_CLOSED);
    return this.view(record, caller.id);
  }

  /** `changes.allowedUsers` is everyone invited from now on; see planInvitations. */
  async update(caller: Caller, id: string, changes: Omit<RoomChanges, 'invitedUsers'>): Promise<Room> {
    const current = await this.ownedOpenRoom(caller, id, 'database');
    const requested: RoomChanges = { ...changes };
    const plan = changes.allowedUsers ? planInvitations(current, normalizedAllowedUsers(changes.allowedUsers, caller.id)) : undefined;
    if (requested.capacity !== undefined) await this.checkCapacityChange(current, requested.capacity);
    if (plan) {
      requested.allowedUsers = plan.allowedUsers;
      requested.invitedUsers = plan.invitedUsers;
      // Kept out before the stored list changes, so that no join slips between the two; signaling
      // refuses the same entry even to a ticket issued earlier.
      const at = this.now().getTime();
      for (const userId of plan.removed) await this.deps.live.exclude(id, userId, { name: current.memberNames[userId] ?? '', at, reason: 'removed' });
      for (const userId of plan.newlyInvited) await this.deps.live.liftRemoval(id, userId);
    }

    const updated = await this.deps.rooms.update(id, requested, this.now());
    if (!updated) throw new AppError(ErrorCode.ROOM_CLOSED);
    await this.deps.lobby.mirror(updated);
    // Takes removed guests out of a call in progress, on whichever signaling replica they are.
    for (const userId of plan?.removed ?? []) await this.deps.events.roomEvent({ type: 'excluded', roomId: id, userId });
    // Signaling enforces the lock and the capacity; without these the change would be cosmetic.
    if (requested.locked !== undefined) {
      await this.deps.live.setLocked(id, requested.locked);
      // Announced below as part of room:updated, so the replicas hearing the event stay quiet.
      await this.deps.live.recordAnnouncedLock(id, requested.locked);
      await this.deps.events.roomEvent({ type: 'locked', roomId: id, locked: requested.locked });
    }
    if (requested.capacity !== undefined && requested.capacity !== current.capacity) {
      await this.deps.events.roomEvent({ type: 'capacity', roomId: id, capacity: requested.capacity });
    }
    const live = await this.deps.live.state(id);
    if (updated.visibility === 'public') await this.announce({ type: 'room:updated', room: toRoomView(updated, live, null) });
    return toRoomView(updated, live, caller.id);
  }

  /** The invitee accepts: from now on the invitation lets them in. */
  async acceptInvitation(caller: Caller, id: string): Promise<Room> {
    const updated = await this.deps.rooms.acceptInvitation(id, caller.id, caller.name, this.now());
    if (!updated) throw new AppError(ErrorCode.NOT_FOUND, 'You have no invitation to this room.');
    await this.deps.lobby.mirror(updated);
    return this.view(updated, caller.id);
  }

  /** The invitee declines (or, once accepted, leaves the guest list): the room is gone from their list. */
  async declineInvitation(caller: Caller, id: string): Promise<void> {
    const updated = await this.deps.rooms.declineInvitation(id, caller.id, this.now());
    if (!updated) throw new AppError(ErrorCode.NOT_FOUND, 'You have no invitation to this room.');
    await this.deps.lobby.mirror(updated);
  }

  async rotateInvite(caller: Caller, id: string): Promise<Room> {
    const current = await this.ownedOpenRoom(caller, id, 'database');
    if (current.visibility === 'public') throw new AppError(ErrorCode.CONFLICT, 'Public rooms need no invite code.');
    await this.deps.inviteRotations.take(`meshcall:rooms:{${caller.id}}:invite-rotations`);
    const updated = await this.deps.rooms.update(id, { inviteCode: nanoid(INVITE_CODE_LENGTH) }, this.now());
    if (!updated) throw new AppError(ErrorCode.ROOM_CLOSED);
    await this.deps.lobby.mirror(updated);
    return this.view(updated, caller.id);
  }

  /**
   * Marks the room closed in Redis first, so signaling refuses new seats even if the database
   * write fails; every step is idempotent, so the owner can simply retry after a 503.
   */
  async close(caller: Caller, id: string): Promise<void> {
    const current = await this.ownedOpenRoom(caller, id, 'database');
    await this.deps.live.markClosed(id);
    const closed = await this.deps.rooms.close(id, this.now());
    if (!closed) throw new AppError(ErrorCode.ROOM_CLOSED);
    await this.deps.lobby.mirror(closed);
    await this.deps.events.roomEvent({ type: 'closed', roomId: id });
    if (current.visibility === 'public') await this.announce({ type: 'room:closed', roomId: id });
  }

  /**
   * Admits the caller: checks access, the close marker, the lock and the live seat count, then
   * hands out a ticket and TURN credentials. The seat count here is advisory (it saves a
   * pointless socket); signaling takes the seat atomically and has the last word.
   *
   * Past the lock go the owner, an account already seated, and one the host admitted after a
   * knock (signaling's admission key). `knock` asks for a ticket to knock with: issued despite
   * the lock, with every other check, so signaling knows the knocker may otherwise come in;
   * signaling still refuses it a seat past the lock until the host admits them.
   */
  async join(caller: Caller, id: string, invite?: string, knock = false): Promise<JoinRoomResponse> {
    const { record, role } = await this.visibleRoom(caller, id, invite);
    if (record.closedAt) throw new AppError(ErrorCode.ROOM_CLOSED);
    const live = await this.deps.live.state(id);
    if (live.closed) throw new AppError(ErrorCode.ROOM_CLOSED);
    // Signaling checks the same entry when seating, so a ticket handed out just before a ban is void too.
    if (role !== 'owner' && (await this.deps.live.isExcluded(id, caller.id))) throw new AppError(ErrorCode.BANNED);
    // A seat the caller already holds (another tab, a reload) is taken over by signaling, so neither
    // the lock nor a full room keeps them out of it, as signaling's own checks do not.
    const ownSeats = (live.locked && role !== 'owner') || live.count >= record.capacity ? await this.deps.live.seatsHeldBy(id, caller.id) : 0;
    // The owner may always come back into their own locked room.
    if (live.locked && role !== 'owner' && ownSeats === 0 && !knock && !(await this.deps.live.isAdmitted(id, caller.id))) throw new AppError(ErrorCode.ROOM_LOCKED);
    if (live.count - ownSeats >= record.capacity) throw new AppError(ErrorCode.ROOM_FULL);
    const iceServers = await this.grantIceServers(caller, record);
    // In by the invite code: from now on a guest, so the room is in their "My rooms" and a link
    // without the code takes them back in (until the owner takes them off the guest list). A guest
    // without an account has no "My rooms" and must come with the code every time.
    const isGuest = caller.guestOf !== undefined;
    if (!isGuest && role === 'member' && record.visibility === 'private' && !record.allowedUsers.includes(caller.id)) {
      const admitted = await this.deps.rooms.admitByInviteCode(record.id, caller.id, caller.name, this.now());
      if (admitted) await this.deps.lobby.mirror(admitted);
    }

    const { ticket, expiresIn } = await this.deps.tickets.issue({
      userId: caller.id,
      name: caller.name,
      roomId: record.id,
      role,
      guest: isGuest,
      capacity: record.capacity,
      kind: record.kind,
    });
    this.deps.onTicketIssued?.();
    return {
      room: toRoomView(record, live, caller.id),
      ticket,
      ticketExpiresIn: expiresIn,
      iceServers: iceServers.iceServers,
      videoUploadBudgetKbps: this.deps.videoUploadBudgetKbps,
    };
  }

  /**
   * Fresh TURN credentials for someone in a call (before an ICE restart, or before the join's
   * run out): only for a room the caller may still join, and within the same bounds as a join.
   * TURN credentials are never handed out outside a room (issue 19: a free endpoint let four
   * accounts hold every relay port).
   */
  async refreshIceServers(caller: Caller, id: string, invite?: string): Promise<IceServersGrant> {
    const { record, role } = await this.visibleRoom(caller, id, invite);
    if (record.closedAt || (await this.deps.live.state(id)).closed) throw new AppError(ErrorCode.ROOM_CLOSED);
    // Whoever join refuses gets no credentials here either.
    if (role !== 'owner' && (await this.deps.live.isExcluded(id, caller.id))) throw new AppError(ErrorCode.BANNED);
    return this.grantIceServers(caller, record);
  }

  private async grantIceServers(caller: Caller, record: RoomRecord): Promise<IceServersGrant> {
    await this.deps.turnGrants.take(caller.id, record.id, record.capacity);
    const { serverFor, secret, credentialTtlSeconds } = this.deps.turn;
    const { host, port, tlsPort } = serverFor(record.id);
    return createIceServers({ host, port, tlsPort, secret, credentialTtlSeconds }, caller.id, this.now().getTime());
  }

  /** Who the owner kept out of the room, most recent first (owner only). */
  async bans(caller: Caller, id: string): Promise<RoomBan[]> {
    await this.ownedOpenRoom(caller, id);
    const entries = await this.deps.live.exclusions(id);
    return entries
      .sort((a, b) => b.at - a.at)
      .map((entry) => ({ userId: entry.userId, name: entry.name, bannedAt: new Date(entry.at).toISOString(), reason: entry.reason }));
  }

  /** Lets a banned account back in (owner only); rooms then hands it tickets again. */
  async liftBan(caller: Caller, id: string, userId: string): Promise<void> {
    await this.ownedOpenRoom(caller, id);
    if (!(await this.deps.live.lift(id, userId))) throw new AppError(ErrorCode.NOT_FOUND, 'That account is not banned from this room.');
  }

  /**
   * A room by id: from the read model, or from MongoDB when the model does not hold it (a closed
   * room, or one whose mirroring failed); an open room found only in MongoDB is put back.
   */
  private async roomById(id: string): Promise<RoomRecord | null> {
    const modelled = await this.deps.lobby.find(id);
    if (modelled) return modelled;
    const stored = await this.deps.rooms.findById(id);
    if (stored && !stored.closedAt) await this.deps.lobby.mirror(stored);
    return stored;
  }

  /**
   * `source`: changes read the room from MongoDB, the source of truth, so that a read-modify-write
   * (the guest list above all) never starts from a copy whose mirroring has not landed yet; joins
   * and reads take the read model.
   */
  private async visibleRoom(
    caller: Caller,
    id: string,
    invite?: string,
    source: RoomSource = 'read-model',
  ): Promise<{ record: RoomRecord; role: Extract<RoomAccess, { granted: true }>['role'] }> {
    // A guest token opens one room; any other id is refused before it is even looked up.
    if (caller.guestOf !== undefined && caller.guestOf !== id) throw new AppError(ErrorCode.GUEST_NOT_ALLOWED);
    const record = source === 'database' ? await this.deps.rooms.findById(id) : await this.roomById(id);
    if (!record) throw new AppError(ErrorCode.NOT_FOUND, 'No such room.');
    const access = caller.guestOf === undefined ? accessTo(record, caller.id, invite) : guestAccessTo(record, invite);
    if (!access.granted) this.refuse(access.reason);
    return { record, role: access.role };
  }

  private refuse(reason: Extract<RoomAccess, { granted: false }>['reason']): never {
    if (reason === 'bad-invite') throw new AppError(ErrorCode.FORBIDDEN, 'The invite code is not valid; ask the owner for a new link.');
    if (reason === 'guests-off') throw new AppError(ErrorCode.GUESTS_OFF);
    throw new AppError(ErrorCode.NOT_FOUND, 'No such room.');
  }

  private async ownedOpenRoom(caller: Caller, id: string, source: RoomSource = 'read-model'): Promise<RoomRecord> {
    const { record, role } = await this.visibleRoom(caller, id, undefined, source);
    if (role !== 'owner') throw new AppError(ErrorCode.FORBIDDEN, 'Only the owner of the room may do that.');
    if (record.closedAt) throw new AppError(ErrorCode.ROOM_CLOSED);
    return record;
  }

  private async checkCapacityChange(room: RoomRecord, capacity: number): Promise<void> {
    if (room.kind === 'game' && capacity !== GAME_ROOM_CAPACITY) {
      throw new AppError(ErrorCode.INVALID_PAYLOAD, 'Game rooms always have two seats.', [
        { path: 'body.capacity', message: `must be ${GAME_ROOM_CAPACITY} for a game room` },
      ]);
    }
    const [count = 0] = await this.deps.live.seatCounts([room.id]);
    if (capacity < count) {
      throw new AppError(ErrorCode.CONFLICT, `${count} people are in the room now; capacity cannot go below that.`);
    }
  }

  private async view(record: RoomRecord, viewerId: string | null): Promise<Room> {
    const [view] = await this.views([record], viewerId);
    return view as Room;
  }

  private async views(records: RoomRecord[], viewerId: string | null): Promise<Room[]> {
    const states = await this.deps.live.states(records.map((record) => record.id));
    return records.map((record, index) => toRoomView(record, states[index] ?? { count: 0, locked: false }, viewerId));
  }

  /**
   * Lobby events are a convenience (clients also refetch), so a Redis hiccup after the room was
   * stored must not fail the request and tempt the client into creating the room twice.
   */
  private async announce(event: LobbyEvent): Promise<void> {
    try {
      await this.deps.events.lobby(event);
    } catch (error) {
      this.deps.log.warn({ err: error, event: event.type }, 'could not publish a lobby event');
    }
  }
}
