import type { RedisClient } from '@meshcall/server-kit';
import {
  chatMessageSchema,
  mediaStateSchema,
  peerSchema,
  redisKeys,
  roomKindSchema,
  type ChatMessage,
  type MediaState,
  type Peer,
  type RoomKind,
} from '@meshcall/shared';
import { leaseMember, ownRoomKey, signalingKeys } from '../redis/keys.js';
import { RoomScript, TOMBSTONE_MS } from '../redis/room-script.js';
import { mailboxEntrySchema, type MailboxEntry } from './replay-plan.js';

/** Who sits where: the public part every peer sees. */
export type SeatRecord = Omit<Peer, 'media'>;

/** A seat another replica (or the sweeper) removed, so the room must hear `peer:left`. */
export interface RemovedSeat {
  peerId: string;
  userId: string;
}

export interface TakeSeatInput {
  roomId: string;
  record: SeatRecord;
  media: MediaState;
  /** `replicaId|socketId`: where this seat's signals are delivered. */
  route: string;
  resumeTokenHash: string;
  leaseUntil: number;
  owner: boolean;
  ticket: { jti: string; issuedAt: number; expiresAtMs: number; capacity: number; kind: RoomKind };
}

export type TakeSeatResult =
  | {
      ok: true;
      capacity: number;
      locked: boolean;
      expired: RemovedSeat[];
      /** The account's earlier seats in the room this one took the place of (their sockets were told). */
      replaced: RemovedSeat[];
      /**
       * The seat's entry in the lease index (what the sweeper finds a crashed replica's seats by),
       * sent right behind the script: the join waits for it with its snapshot, one round trip for both.
       */
      leaseIndexed: Promise<void>;
    }
  | { ok: false; reason: 'ROOM_CLOSED' | 'TICKET_USED' | 'BANNED' | 'ROOM_LOCKED' | 'ROOM_FULL'; expired: RemovedSeat[] };

export interface ResumeSeatInput {
  roomId: string;
  peerId: string;
  userId: string;
  resumeTokenHash: string;
  route: string;
  leaseUntil: number;
}

export type ResumeSeatResult =
  | {
      ok: true;
      record: SeatRecord;
      media: MediaState;
      /** The last seq handed out for this peer. */
      currentSeq: number;
      /** What the previous replica had emitted when the socket dropped; -1 when it crashed. */
      awayAtSeq: number;
      mailbox: MailboxEntry[];
      capacity: number;
      kind: RoomKind;
      locked: boolean;
    }
  | { ok: false; reason: 'ROOM_CLOSED' | 'SEAT_GONE' };

/** What a local socket's replica knows about its seat, enough to put it back if Redis lost it. */
export interface HeldSeat {
  peerId: string;
  route: string;
  record: SeatRecord;
  media: MediaState;
  resumeTokenHash: string;
  deliveredSeq: number;
}

/** What renewal found for a seat whose socket is live here. */
export type RenewalOutcome = 'renewed' | 'restored' | 'replaced' | 'evicted' | 'closed';

/**
 * What renewal found for a seat whose socket dropped from here: still `waiting` for a resume,
 * `restored` after Redis lost it, `resumed` on another socket, `gone` on purpose (left, kicked),
 * `closed` with its room, `missing` (lapsed and swept: announced by the sweeper), or `lost`:
 * Redis lost it and the room has filled up since.
 */
export type AwayOutcome = 'waiting' | 'restored' | 'resumed' | 'gone' | 'closed' | 'missing' | 'lost';

/** A seat waiting for a resume, as the replica its socket dropped from remembers it. */
export interface AwayCheck {
  seat: HeldSeat;
  /** When the seat lapses in Redis. */
  until: number;
  /** Put it back if it is missing: Redis may have lost its data since the seat was last seen there. */
  restoreIfMissing: boolean;
}

export interface RenewalOutcomes {
  held: Map<string, RenewalOutcome>;
  away: Map<string, AwayOutcome>;
}

export interface RoomSnapshot {
  peers: Peer[];
  chat: ChatMessage[];
  locked: boolean;
  /** The peer who moderates the room now, if anyone does. */
  host: string | null;
}

const seatRecordSchema = peerSchema.omit({ media: true });

/** Named arguments of a seat as Redis keeps it: record, media and session as JSON strings. */
interface StoredSeatArgs {
  record: string;
  media: string;
  session: string;
}

const script = <Args extends object>(name: string) => new RoomScript<Args>(name, new URL(`./scripts/${name}.lua`, import.meta.url));

const takeSeatScript = script<
  StoredSeatArgs & {
    peerId: string;
    userId: string;
    leaseUntil: number;
    route: string;
    owner: boolean;
    jti: string;
    ticketExpiresAt: number;
    issuedAt: number;
    ticketCapacity: number;
    kind: RoomKind;
    tombstoneMs: number;
    admittedKey: string;
  }
>('take-seat');
const resumeSeatScript = script<{ peerId: string; userId: string; tokenHash: string; leaseUntil: number; route: string }>('resume-seat');
const markAwayScript = script<{ peerId: string; route: string; graceUntil: number; deliveredSeq: number }>('mark-away');
const releaseSeatScript = script<{ peerId: string; reason: 'left' | 'kicked'; tombstoneMs: number }>('release-seat');
const releaseUserScript = script<{ userId: string; tombstoneMs: number }>('release-user');
const endCallScript = script<{ tombstoneMs: number }>('end-call');
const renewSeatsScript = script<{
  leaseUntil: number;
  restoreCapacity: number;
  restoreKind: RoomKind;
  seats: Array<StoredSeatArgs & { peerId: string; state: 'live' | 'away'; restoreAt?: number; route: string; seq: number }>;
}>('renew-seats');
const sweepScript = script<{ peerIds: string[] }>('sweep-seats');
const updateMediaScript = script<{ peerId: string; media: string }>('update-media');
const snapshotScript = script<{ chatCount: number }>('room-snapshot');
const closeRoomScript = script<Record<string, never>>('close-room');

function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error('unexpected script reply');
  return value;
}

function removedSeatsFrom(flat: unknown): RemovedSeat[] {
  const items = asArray(flat).map(String);
  const removed: RemovedSeat[] = [];
  for (let i = 0; i + 1 < items.length; i += 2) removed.push({ peerId: items[i] as string, userId: items[i + 1] as string });
  return removed;
}

/** A seat's stored strings; `awayAtSeq` is -1 while its socket is live. */
function storedSeat(seat: HeldSeat, awayAtSeq: number): StoredSeatArgs {
  return {
    record: JSON.stringify(seat.record),
    media: JSON.stringify(seat.media),
    session: JSON.stringify({ tokenHash: seat.resumeTokenHash, awayAtSeq }),
  };
}

function parseMedia(json: string): MediaState {
  const parsed = json ? mediaStateSchema.safeParse(JSON.parse(json)) : undefined;
  return parsed?.success ? parsed.data : { audio: false, video: false, screen: false };
}

/**
 * Seats of rooms in Redis: the capacity script, leases and their renewal, resume, release, and
 * the sweep of expired leases. Every operation on a room is one Lua script, so concurrent
 * replicas never see a half-applied change.
 */
export class SeatStore {
  constructor(private readonly redis: RedisClient) {}

  async takeSeat(input: TakeSeatInput, now: number): Promise<TakeSeatResult> {
    const session = JSON.stringify({ tokenHash: input.resumeTokenHash, awayAtSeq: -1 });
    const reply = asArray(
      await takeSeatScript.run(this.redis, input.roomId, now, {
        peerId: input.record.peerId,
        userId: input.record.userId,
        leaseUntil: input.leaseUntil,
        record: JSON.stringify(input.record),
        media: JSON.stringify(input.media),
        route: input.route,
        session,
        owner: input.owner,
        jti: input.ticket.jti,
        ticketExpiresAt: input.ticket.expiresAtMs,
        issuedAt: input.ticket.issuedAt,
        ticketCapacity: input.ticket.capacity,
        kind: input.ticket.kind,
        tombstoneMs: TOMBSTONE_MS,
        admittedKey: redisKeys.roomAdmitted(input.roomId, input.record.userId),
      }),
    );
    const status = String(reply[0]);
    const expired = removedSeatsFrom(reply[2]);
    if (status === 'OK') {
      const leaseIndexed = this.indexLeases(input.roomId, [[input.record.peerId, input.leaseUntil]]);
      // Awaited by the caller together with its next Redis call; never an unhandled rejection meanwhile.
      leaseIndexed.catch(() => undefined);
      return { ok: true, capacity: Number(reply[1]), locked: Number(reply[3]) === 1, expired, replaced: removedSeatsFrom(reply[4]), leaseIndexed };
    }
    return { ok: false, reason: status as Exclude<TakeSeatResult, { ok: true }>['reason'], expired };
  }

  async resumeSeat(input: ResumeSeatInput, now: number): Promise<ResumeSeatResult> {
    const reply = asArray(
      await resumeSeatScript.run(this.redis, input.roomId, now, {
        peerId: input.peerId,
        userId: input.userId,
        tokenHash: input.resumeTokenHash,
        leaseUntil: input.leaseUntil,
        route: input.route,
      }),
    );
    const status = String(reply[0]);
    if (status !== 'OK') return { ok: false, reason: status as 'ROOM_CLOSED' | 'SEAT_GONE' };
    await this.indexLeases(input.roomId, [[input.peerId, input.leaseUntil]]);
    const mailbox: MailboxEntry[] = [];
    for (const raw of asArray(reply[5])) {
      const entry = mailboxEntrySchema.safeParse(JSON.parse(String(raw)));
      if (entry.success) mailbox.push(entry.data);
    }
    const kind = roomKindSchema.safeParse(String(reply[7]));
    return {
      ok: true,
      record: seatRecordSchema.parse(JSON.parse(String(reply[1]))),
      media: parseMedia(String(reply[2])),
      currentSeq: Number(reply[3]),
      awayAtSeq: Number(reply[4]),
      mailbox,
      capacity: Number(reply[6]),
      kind: kind.success ? kind.data : 'business',
      locked: Number(reply[8]) === 1,
    };
  }

  /**
   * The socket dropped: keep the seat for the grace window (others are not told yet) and remember
   * how far signal delivery got. A no-op when the seat moved to another socket meanwhile.
   */
  async markAway(roomId: string, seat: HeldSeat, graceUntil: number, now: number): Promise<boolean> {
    const reply = await markAwayScript.run(this.redis, roomId, now, { peerId: seat.peerId, route: seat.route, graceUntil, deliveredSeq: seat.deliveredSeq });
    if (Number(reply) !== 1) return false;
    await this.indexLeases(roomId, [[seat.peerId, graceUntil]]);
    return true;
  }

  /**
   * Leave or kick: the seat is freed at once; a kick also bans the account from the room (see
   * redisKeys.roomExcluded). Returns the user who held it, or undefined if it was not there.
   */
  async releaseSeat(roomId: string, peerId: string, reason: 'left' | 'kicked', now: number): Promise<{ userId: string } | undefined> {
    const reply = asArray(await releaseSeatScript.run(this.redis, roomId, now, { peerId, reason, tombstoneMs: TOMBSTONE_MS }));
    await this.redis.zrem(signalingKeys.leaseIndex, leaseMember(roomId, peerId));
    return String(reply[0]) === 'OK' ? { userId: String(reply[1]) } : undefined;
  }

  /** Frees every seat of an account in the room and tells their sockets (wherever they are) they were removed. */
  async releaseUser(roomId: string, userId: string, now: number): Promise<RemovedSeat[]> {
    const peerIds = asArray(await releaseUserScript.run(this.redis, roomId, now, { userId, tombstoneMs: TOMBSTONE_MS })).map(String);
    if (peerIds.length > 0) await this.redis.zrem(signalingKeys.leaseIndex, ...peerIds.map((peerId) => leaseMember(roomId, peerId)));
    return peerIds.map((peerId) => ({ peerId, userId }));
  }

  /**
   * The owner ended the call: frees every seat of the room (their sockets are told, wherever they
   * are) and the call's chat and board, and keeps the room. Returns how many seats were freed.
   */
  async endCall(roomId: string, now: number): Promise<number> {
    const peerIds = asArray(await endCallScript.run(this.redis, roomId, now, { tombstoneMs: TOMBSTONE_MS })).map(String);
    if (peerIds.length > 0) await this.redis.zrem(signalingKeys.leaseIndex, ...peerIds.map((peerId) => leaseMember(roomId, peerId)));
    return peerIds.length;
  }

  /**
   * Renews the leases of the seats this replica holds in one room, in one script; puts back
   * seats Redis lost, and reports those that were taken away deliberately. Seats whose socket
   * dropped from here (`away`) are only checked, and put back with what is left of their resume
   * window if Redis may have lost them, so that their departure is still announced.
   */
  async renewSeats(
    roomId: string,
    room: { capacity: number; kind: RoomKind },
    held: HeldSeat[],
    away: AwayCheck[],
    leaseUntil: number,
    now: number,
  ): Promise<RenewalOutcomes> {
    const seats = [
      ...held.map((seat) => ({
        ...storedSeat(seat, -1),
        peerId: seat.peerId,
        state: 'live' as const,
        restoreAt: leaseUntil,
        route: seat.route,
        seq: seat.deliveredSeq,
      })),
      ...away.map(({ seat, until, restoreIfMissing }) => ({
        ...storedSeat(seat, seat.deliveredSeq),
        peerId: seat.peerId,
        state: 'away' as const,
        restoreAt: restoreIfMissing ? until : undefined,
        route: seat.route,
        // The signals kept for this peer were lost with the data. Skipping a number leaves a gap
        // the (now empty) mailbox cannot fill, so a resume answers resync instead of quietly
        // numbering new signals like the lost ones.
        seq: seat.deliveredSeq + 1,
      })),
    ];
    const flat = asArray(await renewSeatsScript.run(this.redis, roomId, now, { leaseUntil, restoreCapacity: room.capacity, restoreKind: room.kind, seats })).map(String);
    const found = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) found.set(flat[i] as string, flat[i + 1] as string);
    const outcomes: RenewalOutcomes = {
      held: new Map(held.map((seat) => [seat.peerId, found.get(seat.peerId) as RenewalOutcome])),
      away: new Map(away.map(({ seat }) => [seat.peerId, found.get(seat.peerId) as AwayOutcome])),
    };
    const leases: Array<[string, number]> = [];
    for (const seat of held) {
      const outcome = outcomes.held.get(seat.peerId);
      if (outcome === 'renewed' || outcome === 'restored') leases.push([seat.peerId, leaseUntil]);
    }
    for (const { seat, until } of away) if (outcomes.away.get(seat.peerId) === 'restored') leases.push([seat.peerId, until]);
    await this.indexLeases(roomId, leases);
    return outcomes;
  }

  /** Lease-index entries that have expired, grouped by room: candidates for a sweep. */
  async expiredLeaseCandidates(now: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(signalingKeys.leaseIndex, '-inf', `(${now}`, 'LIMIT', 0, limit);
  }

  /** Removes the expired seats among candidates; fixes the index for the rest. Returns the removed seats. */
  async sweepRoom(roomId: string, candidates: string[], now: number): Promise<RemovedSeat[]> {
    const flat = asArray(await sweepScript.run(this.redis, roomId, now, { peerIds: candidates })).map(String);
    const removed: RemovedSeat[] = [];
    const stale: string[] = [];
    const alive: Array<[string, number]> = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      const peerId = flat[i] as string;
      const status = flat[i + 1];
      if (status === 'removed') {
        removed.push({ peerId, userId: flat[i + 2] as string });
        stale.push(leaseMember(roomId, peerId));
      } else if (status === 'missing') {
        stale.push(leaseMember(roomId, peerId));
      } else {
        alive.push([peerId, Number(flat[i + 2])]);
      }
    }
    if (stale.length > 0) await this.redis.zrem(signalingKeys.leaseIndex, ...stale);
    await this.indexLeases(roomId, alive);
    return removed;
  }

  async updateMedia(roomId: string, peerId: string, media: MediaState, now: number): Promise<boolean> {
    return Number(await updateMediaScript.run(this.redis, roomId, now, { peerId, media: JSON.stringify(media) })) === 1;
  }

  /** Everyone seated (live leases), the last chat messages, and the lock flag. */
  async snapshot(roomId: string, chatCount: number, now: number): Promise<RoomSnapshot> {
    const reply = asArray(await snapshotScript.run(this.redis, roomId, now, { chatCount }));
    const flat = asArray(reply[0]).map(String);
    const peers: Peer[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const record = seatRecordSchema.safeParse(JSON.parse(flat[i] as string));
      if (record.success) peers.push({ ...record.data, media: parseMedia(flat[i + 1] as string) });
    }
    const chat: ChatMessage[] = [];
    for (const raw of asArray(reply[1])) {
      const message = chatMessageSchema.safeParse(JSON.parse(String(raw)));
      if (message.success) chat.push(message.data);
    }
    const host = String(reply[3] ?? '');
    return { peers, chat, locked: Number(reply[2]) === 1, host: host === '' ? null : host };
  }

  /** User ids of everyone seated now (for game bookkeeping when someone leaves). */
  async seatedUserIds(roomId: string, now: number): Promise<Set<string>> {
    const snapshot = await this.snapshot(roomId, 0, now);
    return new Set(snapshot.peers.map((peer) => peer.userId));
  }

  /** The peer who moderates the room now (see make_host in room-prelude.lua), if anyone does. */
  async host(roomId: string): Promise<string | null> {
    return this.redis.get(ownRoomKey(roomId, 'host'));
  }

  /** Rooms announced a new capacity: it wins over tickets issued before now. */
  async setCapacity(roomId: string, capacity: number, now: number): Promise<void> {
    await this.redis.hset(ownRoomKey(roomId, 'info'), 'capacity', capacity, 'capacitySetAt', Math.floor(now / 1000));
  }

  /** The room is closed: every seat, chat line, board, mailbox and ban goes. */
  async deleteRoom(roomId: string, now: number): Promise<void> {
    await closeRoomScript.run(this.redis, roomId, now, {});
  }

  private async indexLeases(roomId: string, leases: Array<[string, number]>): Promise<void> {
    if (leases.length === 0) return;
    const args: Array<string | number> = [];
    for (const [peerId, until] of leases) args.push(until, leaseMember(roomId, peerId));
    await this.redis.zadd(signalingKeys.leaseIndex, ...args);
  }
}
