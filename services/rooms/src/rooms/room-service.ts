import { nanoid } from 'nanoid';
import type { FastifyBaseLogger } from 'fastify';
import {
  AppError,
  ErrorCode,
  GAME_ROOM_CAPACITY,
  type JoinRoomResponse,
  type ListRoomsQuery,
  type LobbyEvent,
  type Room,
  type RoomKind,
  type RoomListResponse,
  type RoomVisibility,
} from '@meshcall/shared';
import type { RoomEventPublisher } from '../events/room-event-publisher.js';
import type { LiveRoomStore } from '../repositories/live-room-store.js';
import type { PublicRoomFilter, RoomChanges, RoomRecord, RoomRepository } from '../repositories/room-record.js';
import type { JoinTicketIssuer } from '../tickets/join-ticket.js';
import { createIceServers, type IceServersGrant, type TurnServerSettings } from '../turn/ice-servers.js';
import { accessTo, type RoomAccess } from './access.js';
import { OCCUPANCY_RANKING_WINDOW, planOccupancyPage } from './occupancy-ranking.js';
import { toRoomView } from './room-view.js';

/** The signed-in user a request acts for, from the access token. */
export interface Caller {
  id: string;
  name: string;
}

export interface NewRoomInput {
  name: string;
  kind: RoomKind;
  visibility: RoomVisibility;
  capacity: number;
  allowedUsers: string[];
}

export interface PagingInput {
  page: number;
  pageSize: number;
}

const ROOM_ID_LENGTH = 10;
const INVITE_CODE_LENGTH = 16;

export interface RoomServiceDeps {
  rooms: RoomRepository;
  live: LiveRoomStore;
  events: RoomEventPublisher;
  tickets: JoinTicketIssuer;
  turn: TurnServerSettings;
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

  async create(caller: Caller, input: NewRoomInput): Promise<Room> {
    const record = await this.deps.rooms.create({
      id: nanoid(ROOM_ID_LENGTH),
      name: input.name,
      kind: input.kind,
      visibility: input.visibility,
      // A tic-tac-toe game has two players; the schema documents that game rooms get 2 whatever is asked.
      capacity: input.kind === 'game' ? GAME_ROOM_CAPACITY : input.capacity,
      ownerId: caller.id,
      ownerName: caller.name,
      allowedUsers: normalizedAllowedUsers(input.allowedUsers, caller.id),
      inviteCode: input.visibility === 'private' ? nanoid(INVITE_CODE_LENGTH) : null,
    });
    const empty = { count: 0, locked: false };
    if (record.visibility === 'public') await this.announce({ type: 'room:created', room: toRoomView(record, empty, null) });
    return toRoomView(record, empty, caller.id);
  }

  async listPublic(query: ListRoomsQuery): Promise<RoomListResponse> {
    const filter: PublicRoomFilter = {};
    if (query.kind) filter.kind = query.kind;
    if (query.q) filter.nameContains = query.q;
    const skip = (query.page - 1) * query.pageSize;
    const { records, total } =
      query.sort === 'occupancy' ? await this.pageByOccupancy(filter, skip, query.pageSize) : await this.pageByNewest(filter, skip, query.pageSize);
    return { items: await this.views(records, null), page: query.page, pageSize: query.pageSize, total };
  }

  async listMine(caller: Caller, paging: PagingInput): Promise<RoomListResponse> {
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

  async update(caller: Caller, id: string, changes: RoomChanges): Promise<Room> {
    const current = await this.ownedOpenRoom(caller, id);
    const requested: RoomChanges = { ...changes };
    if (requested.allowedUsers) requested.allowedUsers = normalizedAllowedUsers(requested.allowedUsers, caller.id);
    if (requested.capacity !== undefined) await this.checkCapacityChange(current, requested.capacity);

    const updated = await this.deps.rooms.update(id, requested, this.now());
    if (!updated) throw new AppError(ErrorCode.ROOM_CLOSED);
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

  async rotateInvite(caller: Caller, id: string): Promise<Room> {
    const current = await this.ownedOpenRoom(caller, id);
    if (current.visibility === 'public') throw new AppError(ErrorCode.CONFLICT, 'Public rooms need no invite code.');
    const updated = await this.deps.rooms.update(id, { inviteCode: nanoid(INVITE_CODE_LENGTH) }, this.now());
    if (!updated) throw new AppError(ErrorCode.ROOM_CLOSED);
    return this.view(updated, caller.id);
  }

  /**
   * Marks the room closed in Redis first, so signaling refuses new seats even if the database
   * write fails; every step is idempotent, so the owner can simply retry after a 503.
   */
  async close(caller: Caller, id: string): Promise<void> {
    const current = await this.ownedOpenRoom(caller, id);
    await this.deps.live.markClosed(id);
    const closed = await this.deps.rooms.close(id, this.now());
    if (!closed) throw new AppError(ErrorCode.ROOM_CLOSED);
    await this.deps.events.roomEvent({ type: 'closed', roomId: id });
    if (current.visibility === 'public') await this.announce({ type: 'room:closed', roomId: id });
  }

  /**
   * Admits the caller: checks access, the close marker, the lock and the live seat count, then
   * hands out a ticket and TURN credentials. The seat count here is advisory (it saves a
   * pointless socket); signaling takes the seat atomically and has the last word.
   */
  async join(caller: Caller, id: string, invite?: string): Promise<JoinRoomResponse> {
    const { record, role } = await this.visibleRoom(caller, id, invite);
    if (record.closedAt) throw new AppError(ErrorCode.ROOM_CLOSED);
    const live = await this.deps.live.state(id);
    if (live.closed) throw new AppError(ErrorCode.ROOM_CLOSED);
    // The owner may always come back into their own locked room.
    if (live.locked && role !== 'owner') throw new AppError(ErrorCode.ROOM_LOCKED);
    if (live.count >= record.capacity) throw new AppError(ErrorCode.ROOM_FULL);

    const { ticket, expiresIn } = await this.deps.tickets.issue({
      userId: caller.id,
      name: caller.name,
      roomId: record.id,
      role,
      capacity: record.capacity,
      kind: record.kind,
    });
    this.deps.onTicketIssued?.();
    return {
      room: toRoomView(record, live, caller.id),
      ticket,
      ticketExpiresIn: expiresIn,
      iceServers: this.iceServers(caller).iceServers,
    };
  }

  iceServers(caller: Caller): IceServersGrant {
    return createIceServers(this.deps.turn, caller.id, this.now().getTime());
  }

  private async visibleRoom(caller: Caller, id: string, invite?: string): Promise<{ record: RoomRecord; role: Extract<RoomAccess, { granted: true }>['role'] }> {
    const record = await this.deps.rooms.findById(id);
    if (!record) throw new AppError(ErrorCode.NOT_FOUND, 'No such room.');
    const access = accessTo(record, caller.id, invite);
    if (!access.granted) {
      if (access.reason === 'bad-invite') throw new AppError(ErrorCode.FORBIDDEN, 'The invite code is not valid; ask the owner for a new link.');
      throw new AppError(ErrorCode.NOT_FOUND, 'No such room.');
    }
    return { record, role: access.role };
  }

  private async ownedOpenRoom(caller: Caller, id: string): Promise<RoomRecord> {
    const { record, role } = await this.visibleRoom(caller, id);
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

  private async pageByNewest(filter: PublicRoomFilter, skip: number, limit: number): Promise<{ records: RoomRecord[]; total: number }> {
    const [records, total] = await Promise.all([this.deps.rooms.listPublic(filter, { skip, limit }), this.deps.rooms.countPublic(filter)]);
    return { records, total };
  }

  /** One page of rooms ordered by live occupancy; see planOccupancyPage for the order and its bound. */
  private async pageByOccupancy(filter: PublicRoomFilter, skip: number, limit: number): Promise<{ records: RoomRecord[]; total: number }> {
    const candidates = await this.deps.rooms.listPublicIdsNewest(filter, OCCUPANCY_RANKING_WINDOW);
    const [records, total] = await Promise.all([
      this.rankedPage(filter, candidates, skip, limit),
      // A window that is not full holds every matching room, so the count is already known.
      candidates.length < OCCUPANCY_RANKING_WINDOW ? candidates.length : this.deps.rooms.countPublic(filter),
    ]);
    return { records, total };
  }

  private async rankedPage(filter: PublicRoomFilter, candidates: string[], skip: number, limit: number): Promise<RoomRecord[]> {
    const counts = await this.deps.live.seatCounts(candidates);
    const plan = planOccupancyPage(candidates, counts, OCCUPANCY_RANKING_WINDOW, skip, limit);
    const records = await this.deps.rooms.findByIds(plan.rankedIds);
    if (plan.beyondWindow) records.push(...(await this.deps.rooms.listPublic(filter, plan.beyondWindow)));
    return records;
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
