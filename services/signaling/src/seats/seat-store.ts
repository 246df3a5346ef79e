import type { Redis } from 'ioredis';
import {
  chatMessageSchema,
  mediaStateSchema,
  peerSchema,
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
}

const seatRecordSchema = peerSchema.omit({ media: true });

const takeSeatScript = new RoomScript(
  'take-seat',
  `
local peer_id, lease_until, record, media_json, route, session = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local owner, jti, ticket_expires_at, issued_at = ARGV[10], ARGV[11], tonumber(ARGV[12]), tonumber(ARGV[13])
local ticket_capacity, kind, user_id, tombstone_ms = tonumber(ARGV[14]), ARGV[15], ARGV[16], tonumber(ARGV[17])

if redis.call('EXISTS', closed) == 1 then return {'ROOM_CLOSED', 0, {}} end
local ticket_key = prefix .. 'ticket:' .. jti
if redis.call('EXISTS', ticket_key) == 1 then return {'TICKET_USED', 0, {}} end
-- Checked here, not only when rooms issues the ticket: a ticket issued before the ban is void too.
if owner ~= '1' and redis.call('HEXISTS', excluded, user_id) == 1 then return {'BANNED', 0, {}} end

-- The account's seats in this room (another tab or device, or one held for resume after a
-- reload): this join takes their place rather than a second seat, so one person cannot fill a
-- room, the owner included.
local own_seats = {}
local seated = redis.call('HGETALL', peers)
for i = 1, #seated, 2 do
  local other_id = seated[i]
  if is_seated(other_id) and cjson.decode(seated[i + 1]).userId == user_id then table.insert(own_seats, other_id) end
end
-- Someone already in the room is not a newcomer: the lock does not keep them out of their own seat.
if owner ~= '1' and #own_seats == 0 and redis.call('EXISTS', locked) == 1 then return {'ROOM_LOCKED', 0, {}} end

-- The capacity is the ticket's unless rooms announced a change after the ticket was issued.
local cap = ticket_capacity
local capacity_set_at = tonumber(redis.call('HGET', info, 'capacitySetAt') or '-1')
if capacity_set_at >= issued_at and redis.call('HEXISTS', info, 'capacity') == 1 then
  cap = capacity()
else
  redis.call('HSET', info, 'capacity', ticket_capacity, 'capacitySetAt', issued_at)
end
redis.call('HSET', info, 'kind', kind)

local expired = drop_expired()
-- The seats taken over are freed only if this join then fits, so a refusal leaves them alone.
if redis.call('ZCARD', seats) - #own_seats >= cap then
  if #expired > 0 then settle_room() end
  return {'ROOM_FULL', cap, expired}
end
local replaced = {}
for _, other_id in ipairs(own_seats) do
  local other_user, other_route = remove_seat(other_id, tombstone_ms)
  publish_evict(other_route, other_id, 'joined-elsewhere')
  table.insert(replaced, other_id)
  table.insert(replaced, other_user)
end
redis.call('ZADD', seats, lease_until, peer_id)
redis.call('HSET', peers, peer_id, record)
redis.call('HSET', media, peer_id, media_json)
redis.call('HSET', routes, peer_id, route)
redis.call('HSET', sessions, peer_id, session)
redis.call('SET', ticket_key, '1', 'PX', math.max(ticket_expires_at - now, 1000))
for _, key in ipairs({chat, game, info}) do redis.call('PERSIST', key) end
settle_room()
return {'OK', cap, expired, redis.call('EXISTS', locked), replaced}
`,
);

const resumeSeatScript = new RoomScript(
  'resume-seat',
  `
local peer_id, user_id, token_hash, lease_until, route = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
if redis.call('EXISTS', closed) == 1 then return {'ROOM_CLOSED'} end
if not is_seated(peer_id) then return {'SEAT_GONE'} end
local record = redis.call('HGET', peers, peer_id)
local session_json = redis.call('HGET', sessions, peer_id)
if not record or not session_json then return {'SEAT_GONE'} end
local session = cjson.decode(session_json)
if cjson.decode(record).userId ~= user_id or session.tokenHash ~= token_hash then return {'SEAT_GONE'} end

local old_route = redis.call('HGET', routes, peer_id)
redis.call('ZADD', seats, 'XX', lease_until, peer_id)
redis.call('HSET', routes, peer_id, route)
-- What the previous replica delivered is answered once; a later crash must not reuse it.
local away_at_seq = session.awayAtSeq or -1
session.awayAtSeq = -1
redis.call('HSET', sessions, peer_id, cjson.encode(session))
-- A socket the server still believes alive is stale now: its replica must let go of it.
if old_route and old_route ~= '' and old_route ~= route then publish_evict(old_route, peer_id, 'replaced') end
local mailbox = redis.call('LRANGE', prefix .. 'mailbox:' .. peer_id, 0, -1)
return {'OK', record, redis.call('HGET', media, peer_id) or '', redis.call('HGET', seqs, peer_id) or '0',
  tostring(away_at_seq), mailbox, tostring(capacity()), redis.call('HGET', info, 'kind') or '',
  redis.call('EXISTS', locked)}
`,
);

const markAwayScript = new RoomScript(
  'mark-away',
  `
local peer_id, route, grace_until, delivered_seq = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
if redis.call('HGET', routes, peer_id) ~= route then return 0 end
redis.call('HSET', routes, peer_id, '')
local session = cjson.decode(redis.call('HGET', sessions, peer_id))
session.awayAtSeq = delivered_seq
redis.call('HSET', sessions, peer_id, cjson.encode(session))
redis.call('ZADD', seats, 'XX', grace_until, peer_id)
return 1
`,
);

const releaseSeatScript = new RoomScript(
  'release-seat',
  `
local peer_id, reason, tombstone_ms = ARGV[4], ARGV[5], tonumber(ARGV[6])
if not redis.call('ZSCORE', seats, peer_id) then return {'NOT_FOUND', ''} end
local record = redis.call('HGET', peers, peer_id)
local user_id, route = remove_seat(peer_id, tombstone_ms)
if reason == 'kicked' then
  -- A kick is a ban: the account stays out of this room, whatever ticket it holds, until the
  -- owner lifts it through rooms. Nobody bans the owner from their own room.
  local seat_record = record and cjson.decode(record) or {}
  if user_id ~= '' and seat_record.role ~= 'owner' then
    redis.call('HSET', excluded, user_id, cjson.encode({name = seat_record.name or '', at = now, reason = 'kicked'}))
  end
  publish_evict(route, peer_id, 'kicked')
end
settle_room()
return {'OK', user_id}
`,
);

/** Ends every seat an excluded account holds in the room (rooms took its invitation back). */
const releaseUserScript = new RoomScript(
  'release-user',
  `
local user_id, tombstone_ms = ARGV[4], tonumber(ARGV[5])
local removed = {}
local seated = redis.call('HGETALL', peers)
for i = 1, #seated, 2 do
  local peer_id = seated[i]
  if cjson.decode(seated[i + 1]).userId == user_id and redis.call('ZSCORE', seats, peer_id) then
    local _, route = remove_seat(peer_id, tombstone_ms)
    publish_evict(route, peer_id, 'uninvited')
    table.insert(removed, peer_id)
  end
end
if #removed > 0 then settle_room() end
return removed
`,
);

const renewSeatsScript = new RoomScript(
  'renew-seats',
  `
local lease_until, restore_capacity, restore_kind = ARGV[4], ARGV[5], ARGV[6]
local room_closed = redis.call('EXISTS', closed) == 1
local results = {}
local restored = false

local function deliberately_gone(peer_id)
  return redis.call('EXISTS', prefix .. 'gone:' .. peer_id) == 1
end

local function token_hash(session_json)
  if not session_json then return nil end
  return cjson.decode(session_json).tokenHash
end

-- Puts back a seat that is gone without a deliberate removal (Redis lost its data, or the sweeper
-- took a live seat whose lease could not be renewed), unless someone took its place meanwhile.
local function restore(peer_id, score, route, record, media_json, session, seq)
  if redis.call('HEXISTS', info, 'capacity') == 0 then
    redis.call('HSET', info, 'capacity', restore_capacity, 'capacitySetAt', 0, 'kind', restore_kind)
  end
  if live_count() >= capacity() then return false end
  redis.call('ZADD', seats, score, peer_id)
  redis.call('HSET', peers, peer_id, record)
  redis.call('HSET', media, peer_id, media_json)
  redis.call('HSET', routes, peer_id, route)
  redis.call('HSET', sessions, peer_id, session)
  redis.call('HSETNX', seqs, peer_id, seq)
  restored = true
  return true
end

-- Each seat: peer id, state ('live', or 'away' for a socket that dropped from this replica),
-- restore_at (the score to put it back with if Redis lost it; '' to leave it gone), route (for
-- an away seat, the dropped socket's), record, media, session, signal seq.
local i = 7
while i <= #ARGV do
  local peer_id, state, restore_at, route, record, media_json, session, seq =
    ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7]
  i = i + 8
  local present = redis.call('ZSCORE', seats, peer_id)
  local current_route = redis.call('HGET', routes, peer_id)
  local outcome
  if room_closed then
    -- The close event was missed (subscriber reconnecting): let go now rather than never.
    remove_seat(peer_id, false)
    outcome = 'closed'
  elseif state == 'live' then
    if present and current_route == route then
      redis.call('ZADD', seats, lease_until, peer_id)
      outcome = 'renewed'
    elseif present and current_route == '' and token_hash(redis.call('HGET', sessions, peer_id)) == token_hash(session) then
      -- Put back as away by the replica this peer dropped from, which had not yet noticed the
      -- resume here: the socket holding the resume token is the seat's.
      redis.call('ZADD', seats, lease_until, peer_id)
      redis.call('HSET', routes, peer_id, route)
      redis.call('HSET', sessions, peer_id, session)
      outcome = 'renewed'
    elseif present then
      outcome = 'replaced'
    elseif deliberately_gone(peer_id) then
      outcome = 'evicted'
    elseif restore(peer_id, restore_at, route, record, media_json, session, seq) then
      outcome = 'restored'
    else
      outcome = 'evicted'
    end
  else
    if present then
      -- Still waiting (route '', or the dropped socket's if marking it away failed), or resumed.
      outcome = (current_route == '' or current_route == route) and 'waiting' or 'resumed'
    elseif deliberately_gone(peer_id) then
      outcome = 'gone'
    elseif restore_at == '' then
      -- Swept or taken by an expiry while Redis kept its data: whoever removed it announced it.
      outcome = 'missing'
    elseif restore(peer_id, restore_at, '', record, media_json, session, seq) then
      -- Only the rest of its window is left (maybe none): the sweep announces it when it ends.
      outcome = 'restored'
    else
      outcome = 'lost'
    end
  end
  table.insert(results, peer_id)
  table.insert(results, outcome)
end
if restored then
  for _, key in ipairs({chat, game, info}) do redis.call('PERSIST', key) end
  settle_room()
end
return results
`,
);

const sweepScript = new RoomScript(
  'sweep-seats',
  `
local results = {}
local removed = false
for i = 4, #ARGV do
  local peer_id = ARGV[i]
  local score = redis.call('ZSCORE', seats, peer_id)
  if not score then
    table.insert(results, peer_id); table.insert(results, 'missing'); table.insert(results, '')
  elseif tonumber(score) >= now then
    table.insert(results, peer_id); table.insert(results, 'alive'); table.insert(results, score)
  else
    local user_id = remove_seat(peer_id, false)
    table.insert(results, peer_id); table.insert(results, 'removed'); table.insert(results, user_id)
    removed = true
  end
end
if removed then settle_room() end
return results
`,
);

const updateMediaScript = new RoomScript(
  'update-media',
  `
local peer_id, media_json = ARGV[4], ARGV[5]
if not is_seated(peer_id) then return 0 end
redis.call('HSET', media, peer_id, media_json)
return 1
`,
);

const snapshotScript = new RoomScript(
  'room-snapshot',
  `
local chat_count = tonumber(ARGV[4])
local list = {}
for _, peer_id in ipairs(redis.call('ZRANGEBYSCORE', seats, now, '+inf')) do
  local record = redis.call('HGET', peers, peer_id)
  if record then
    table.insert(list, record)
    table.insert(list, redis.call('HGET', media, peer_id) or '')
  end
end
local recent = {}
if chat_count > 0 then recent = redis.call('LRANGE', chat, -chat_count, -1) end
return {list, recent, redis.call('EXISTS', locked)}
`,
);

const closeRoomScript = new RoomScript(
  'close-room',
  `
for _, peer_id in ipairs(redis.call('HKEYS', peers)) do redis.call('DEL', prefix .. 'mailbox:' .. peer_id) end
redis.call('DEL', seats, peers, media, routes, sessions, seqs, info, chat, game, excluded)
return 1
`,
);

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
  constructor(private readonly redis: Redis) {}

  async takeSeat(input: TakeSeatInput, now: number): Promise<TakeSeatResult> {
    const session = JSON.stringify({ tokenHash: input.resumeTokenHash, awayAtSeq: -1 });
    const reply = asArray(
      await takeSeatScript.run(this.redis, input.roomId, now, [
        input.record.peerId,
        input.leaseUntil,
        JSON.stringify(input.record),
        JSON.stringify(input.media),
        input.route,
        session,
        input.owner ? '1' : '0',
        input.ticket.jti,
        input.ticket.expiresAtMs,
        input.ticket.issuedAt,
        input.ticket.capacity,
        input.ticket.kind,
        input.record.userId,
        TOMBSTONE_MS,
      ]),
    );
    const status = String(reply[0]);
    const expired = removedSeatsFrom(reply[2]);
    if (status === 'OK') {
      await this.indexLeases(input.roomId, [[input.record.peerId, input.leaseUntil]]);
      return { ok: true, capacity: Number(reply[1]), locked: Number(reply[3]) === 1, expired, replaced: removedSeatsFrom(reply[4]) };
    }
    return { ok: false, reason: status as Exclude<TakeSeatResult, { ok: true }>['reason'], expired };
  }

  async resumeSeat(input: ResumeSeatInput, now: number): Promise<ResumeSeatResult> {
    const reply = asArray(
      await resumeSeatScript.run(this.redis, input.roomId, now, [input.peerId, input.userId, input.resumeTokenHash, input.leaseUntil, input.route]),
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
    const reply = await markAwayScript.run(this.redis, roomId, now, [seat.peerId, seat.route, graceUntil, seat.deliveredSeq]);
    if (Number(reply) !== 1) return false;
    await this.indexLeases(roomId, [[seat.peerId, graceUntil]]);
    return true;
  }

  /**
   * Leave or kick: the seat is freed at once; a kick also bans the account from the room (see
   * redisKeys.roomExcluded). Returns the user who held it, or undefined if it was not there.
   */
  async releaseSeat(roomId: string, peerId: string, reason: 'left' | 'kicked', now: number): Promise<{ userId: string } | undefined> {
    const reply = asArray(await releaseSeatScript.run(this.redis, roomId, now, [peerId, reason, TOMBSTONE_MS]));
    await this.redis.zrem(signalingKeys.leaseIndex, leaseMember(roomId, peerId));
    return String(reply[0]) === 'OK' ? { userId: String(reply[1]) } : undefined;
  }

  /** Frees every seat of an account in the room and tells their sockets (wherever they are) they were removed. */
  async releaseUser(roomId: string, userId: string, now: number): Promise<RemovedSeat[]> {
    const peerIds = asArray(await releaseUserScript.run(this.redis, roomId, now, [userId, TOMBSTONE_MS])).map(String);
    if (peerIds.length > 0) await this.redis.zrem(signalingKeys.leaseIndex, ...peerIds.map((peerId) => leaseMember(roomId, peerId)));
    return peerIds.map((peerId) => ({ peerId, userId }));
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
    const args: Array<string | number> = [leaseUntil, room.capacity, room.kind];
    for (const seat of held) {
      args.push(
        seat.peerId,
        'live',
        leaseUntil,
        seat.route,
        JSON.stringify(seat.record),
        JSON.stringify(seat.media),
        JSON.stringify({ tokenHash: seat.resumeTokenHash, awayAtSeq: -1 }),
        seat.deliveredSeq,
      );
    }
    for (const { seat, until, restoreIfMissing } of away) {
      args.push(
        seat.peerId,
        'away',
        restoreIfMissing ? until : '',
        seat.route,
        JSON.stringify(seat.record),
        JSON.stringify(seat.media),
        JSON.stringify({ tokenHash: seat.resumeTokenHash, awayAtSeq: seat.deliveredSeq }),
        // The signals kept for this peer were lost with the data. Skipping a number leaves a gap
        // the (now empty) mailbox cannot fill, so a resume answers resync instead of quietly
        // numbering new signals like the lost ones.
        seat.deliveredSeq + 1,
      );
    }
    const flat = asArray(await renewSeatsScript.run(this.redis, roomId, now, args)).map(String);
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
    const flat = asArray(await sweepScript.run(this.redis, roomId, now, candidates)).map(String);
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
    return Number(await updateMediaScript.run(this.redis, roomId, now, [peerId, JSON.stringify(media)])) === 1;
  }

  /** Everyone seated (live leases), the last chat messages, and the lock flag. */
  async snapshot(roomId: string, chatCount: number, now: number): Promise<RoomSnapshot> {
    const reply = asArray(await snapshotScript.run(this.redis, roomId, now, [chatCount]));
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
    return { peers, chat, locked: Number(reply[2]) === 1 };
  }

  /** User ids of everyone seated now (for game bookkeeping when someone leaves). */
  async seatedUserIds(roomId: string, now: number): Promise<Set<string>> {
    const snapshot = await this.snapshot(roomId, 0, now);
    return new Set(snapshot.peers.map((peer) => peer.userId));
  }

  /** Rooms announced a new capacity: it wins over tickets issued before now. */
  async setCapacity(roomId: string, capacity: number, now: number): Promise<void> {
    await this.redis.hset(ownRoomKey(roomId, 'info'), 'capacity', capacity, 'capacitySetAt', Math.floor(now / 1000));
  }

  /** The room is closed: every seat, chat line, board, mailbox and ban goes. */
  async deleteRoom(roomId: string, now: number): Promise<void> {
    await closeRoomScript.run(this.redis, roomId, now, []);
  }

  private async indexLeases(roomId: string, leases: Array<[string, number]>): Promise<void> {
    if (leases.length === 0) return;
    const args: Array<string | number> = [];
    for (const [peerId, until] of leases) args.push(until, leaseMember(roomId, peerId));
    await this.redis.zadd(signalingKeys.leaseIndex, ...args);
  }
}
