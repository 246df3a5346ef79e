import { createHash, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { scanKeys, type RedisClient } from '@meshcall/server-kit';
import { z } from 'zod';
import { ROOM_COUNT_EXACT_LIMIT, liveSeatCountArgs, namePrefixes, roomKindSchema, roomVisibilitySchema, type RoomKind } from '@meshcall/shared';
import type { ListPosition } from '../rooms/list-cursor.js';
import type { RoomRecord, RoomRepository } from './room-record.js';

/**
 * The lobby's read model in Redis, kept in step with MongoDB (the source of truth):
 *
 * - `room:<id>`: hash of an open room (the whole record as JSON, for join tickets and pages),
 *   its version (`updatedAt` in ms), live occupancy and the index entries it holds;
 * - `owner:<userId>`: set of the open rooms one account owns (the room quota);
 * - `newest`, `newest:<kind>`, `name:<prefix>`: sorted sets of open public rooms scored by
 *   creation time (ms); `occupancy`, `occupancy:<kind>`: the same rooms scored by
 *   occupancy × 2^42 + creation time, so busiest first and newest first among equals;
 * - `closed:<id>`: a closed room's tombstone (24 h), so a write that raced the close cannot
 *   bring the room back;
 * - `built`: present once a rebuild from MongoDB finished; missing after a Redis flush or
 *   restart, which triggers the next rebuild.
 *
 * Every key shares one hash tag per database, so the scripts below stay on one Redis Cluster
 * slot (and two deployments on one Redis never see each other's rooms).
 */
const OCCUPANCY_UNIT = 2 ** 42;
/** A count above this would break the score's arithmetic; no room comes near it (capacity ≤ 8). */
const MAX_OCCUPANCY = 1000;
const CLOSED_TOMBSTONE_SECONDS = 24 * 60 * 60;
const REBUILD_BATCH = 1000;
/** A rebuild holds the lock this long at most (a replica that dies mid-rebuild frees it). */
const REBUILD_LOCK_MS = 10 * 60_000;
/** How often each replica checks the model is there, and retries writes that failed. */
const MAINTENANCE_INTERVAL_MS = 2_000;
/** Failed writes remembered for repair; past this many the model is rebuilt instead. */
const MAX_PENDING_REPAIRS = 10_000;
/** Entries a page walks at most before it answers with what it found and a cursor to go on. */
const PAGE_SCAN_LIMIT = 20_000;
/** How long a count that needed testing set members is reused (the web adjusts it from live events meanwhile). */
const COUNT_CACHE_SECONDS = 5;
/** A filter this small is read whole and ranked by occupancy, rather than walking the occupancy order. */
const GATHER_LIMIT = 2_000;

/** An index entry of a room: the sorted set and whether it is scored by creation time or occupancy. */
type IndexEntry = [key: string, scoring: 'n' | 'o'];

/** Writes an open room and its index entries, unless a newer version or a tombstone is there. */
const UPSERT_SCRIPT = `
local room, owner_set, tombstone = KEYS[1], KEYS[2], KEYS[3]
local id, version, created = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[4])
if redis.call('EXISTS', tombstone) == 1 then return 0 end
local stored = redis.call('HGET', room, 'v')
if stored and tonumber(stored) > version then return 0 end
local occupancy = tonumber(ARGV[5])
if not occupancy then occupancy = tonumber(redis.call('HGET', room, 'occ') or '0') end
local old = redis.call('HGET', room, 'entries')
if old then for _, entry in ipairs(cjson.decode(old)) do redis.call('ZREM', entry[1], id) end end
local old_owner = redis.call('HGET', room, 'owner')
if old_owner and old_owner ~= owner_set then redis.call('SREM', old_owner, id) end
for _, entry in ipairs(cjson.decode(ARGV[6])) do
  local score = created
  if entry[2] == 'o' then score = occupancy * ${OCCUPANCY_UNIT} + created end
  redis.call('ZADD', entry[1], score, id)
end
redis.call('SADD', owner_set, id)
redis.call('HSET', room, 'v', ARGV[2], 'record', ARGV[3], 'created', ARGV[4], 'occ', occupancy, 'entries', ARGV[6], 'owner', owner_set)
return 1
`;

/** Takes a closed room out of every index and leaves its tombstone. */
const REMOVE_SCRIPT = `
local room, tombstone = KEYS[1], KEYS[2]
local id = ARGV[1]
local old = redis.call('HGET', room, 'entries')
if old then for _, entry in ipairs(cjson.decode(old)) do redis.call('ZREM', entry[1], id) end end
local owner_set = redis.call('HGET', room, 'owner')
if owner_set then redis.call('SREM', owner_set, id) end
redis.call('DEL', room)
redis.call('SET', tombstone, '1', 'EX', ${CLOSED_TOMBSTONE_SECONDS})
return 1
`;

/**
 * Records a room's occupancy and moves it in the occupancy order if it is listed. Returns 1 for a
 * listed room, 0 for one in the model but not listed (private), -1 for one not in the model.
 */
const OCCUPANCY_SCRIPT = `
local room = KEYS[1]
local id, occupancy = ARGV[1], tonumber(ARGV[2])
local entries = redis.call('HGET', room, 'entries')
if not entries then return -1 end
redis.call('HSET', room, 'occ', occupancy)
local created = tonumber(redis.call('HGET', room, 'created'))
local listed = 0
for _, entry in ipairs(cjson.decode(entries)) do
  if entry[2] == 'o' then
    redis.call('ZADD', entry[1], occupancy * ${OCCUPANCY_UNIT} + created, id)
    listed = 1
  end
end
return listed
`;

/**
 * One page of the lobby. KEYS: the built marker, the count cache of this query, the order (newest
 * or occupancy, of a kind or all), then the search's prefix sets, which every match must be in. ARGV: page size, the
 * cursor's score and id ('' for the first page), sort, and '1' when the order set holds every
 * member of the others (no kind filter), so they alone decide the count.
 *
 * Newest first, every set is scored by creation time, so the smallest one is walked and the others
 * are membership tests. By occupancy, the occupancy order is walked, unless a search set is small
 * enough to read whole and rank. A walk stops after PAGE_SCAN_LIMIT entries and returns where it
 * stopped, so a rare match costs several short requests, never one long one. The count is exact
 * for one set; otherwise the smallest set's first ROOM_COUNT_EXACT_LIMIT members are tested and
 * the count is a lower bound when it has more. That test costs Redis milliseconds (7,500 tests at
 * 100k rooms), so its result is kept for COUNT_CACHE_SECONDS: scrolling on, and other viewers of the
 * same query, reuse it. Returns {status, total, lowerBound, nextScore,
 * nextId, id1, score1, id2, score2, ...}.
 */
const PAGE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not-built'} end
local limit = tonumber(ARGV[1])
local after_score = tonumber(ARGV[2])
local after_id = ARGV[3]
local sort = ARGV[4]
local order_is_superset = ARGV[5] == '1'
local sets, sizes = {}, {}
local count_cache = KEYS[2]
for i = 3, #KEYS do
  sets[#sets + 1] = KEYS[i]
  sizes[#sizes + 1] = redis.call('ZCARD', KEYS[i])
end

local function in_all(id, except)
  for i, key in ipairs(sets) do
    if i ~= except and not redis.call('ZSCORE', key, id) then return false end
  end
  return true
end

-- Byte order, as Redis orders members of equal score (Lua's < follows the server's locale).
local function bytes_before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local function is_after(score, id)
  return after_score == nil or score < after_score or (score == after_score and bytes_before(id, after_id))
end

local function smallest(from)
  local best = from
  for i = from, #sets do if sizes[i] < sizes[best] then best = i end end
  return best
end

local found, next_score, next_id = {}, '', ''

-- Walks one set from the cursor on, by score then id descending. Each chunk starts at the last
-- score seen, skipping the entries with that score already read (offset), so a chunk never costs
-- more than its own length however deep the walk goes.
local function walk(index)
  local max, offset, examined = '+inf', 0, 0
  if after_score then max = ARGV[2] end
  while true do
    local chunk = redis.call('ZREVRANGEBYSCORE', sets[index], max, '-inf', 'WITHSCORES', 'LIMIT', offset, 200)
    if #chunk == 0 then return end
    for i = 1, #chunk, 2 do
      local id, score = chunk[i], chunk[i + 1]
      if is_after(tonumber(score), id) then
        examined = examined + 1
        if in_all(id, index) then
          if #found == limit * 2 then
            next_score, next_id = found[#found], found[#found - 1]
            return
          end
          found[#found + 1] = id
          found[#found + 1] = score
        end
        if examined >= ${PAGE_SCAN_LIMIT} then
          next_score, next_id = score, id
          return
        end
      end
    end
    local last, ties = chunk[#chunk], 0
    for i = #chunk, 2, -2 do
      if chunk[i] ~= last then break end
      ties = ties + 1
    end
    -- Compared as numbers: RedisClient may format a score differently from the cursor it came from.
    if tonumber(last) == tonumber(max) then offset = offset + ties else max, offset = last, ties end
  end
end

local function gather(index)
  local rows = {}
  for _, id in ipairs(redis.call('ZRANGE', sets[index], 0, -1)) do
    local score = redis.call('ZSCORE', sets[1], id)
    if score and in_all(id, index) and is_after(tonumber(score), id) then rows[#rows + 1] = {id, score, tonumber(score)} end
  end
  table.sort(rows, function(a, b)
    if a[3] ~= b[3] then return a[3] > b[3] end
    return bytes_before(b[1], a[1])
  end)
  for i = 1, math.min(limit, #rows) do
    found[#found + 1] = rows[i][1]
    found[#found + 1] = rows[i][2]
  end
  if #rows > limit then next_score, next_id = rows[limit][2], rows[limit][1] end
end

if sort == 'newest' then
  walk(smallest(1))
elseif #sets > 1 and sizes[smallest(2)] <= ${GATHER_LIMIT} then
  gather(smallest(2))
else
  walk(1)
end

local total, lower_bound = 0, 0
local first = 1
if order_is_superset and #sets > 1 then first = 2 end
if #sets == first then
  total = sizes[first]
else
  local cached = redis.call('GET', count_cache)
  if cached then
    total, lower_bound = string.match(cached, '^(%d+):(%d)$')
    total, lower_bound = tonumber(total), tonumber(lower_bound)
  else
    local counted = smallest(first)
    for _, id in ipairs(redis.call('ZRANGE', sets[counted], 0, ${ROOM_COUNT_EXACT_LIMIT - 1})) do
      local matches = true
      for i = first, #sets do
        if i ~= counted and not redis.call('ZSCORE', sets[i], id) then matches = false break end
      end
      if matches then total = total + 1 end
    end
    if sizes[counted] > ${ROOM_COUNT_EXACT_LIMIT} then lower_bound = 1 end
    redis.call('SET', count_cache, total .. ':' .. lower_bound, 'EX', ${COUNT_CACHE_SECONDS})
  end
end

local reply = {'ok', total, lower_bound, next_score, next_id}
for _, value in ipairs(found) do reply[#reply + 1] = value end
return reply
`;

const storedRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: roomKindSchema,
  visibility: roomVisibilitySchema,
  capacity: z.number().int(),
  ownerId: z.string(),
  ownerName: z.string(),
  allowedUsers: z.array(z.string()),
  invitedUsers: z.array(z.string()),
  memberNames: z.record(z.string(), z.string()),
  inviteCode: z.string().nullable(),
  // Records mirrored before guests existed have none: off.
  guestAccess: z.boolean().default(false),
  locked: z.boolean(),
  createdAt: z.coerce.date(),
  updatedAt: z.coerce.date(),
  closedAt: z.null(),
});

export interface LobbyPageQuery {
  sort: 'newest' | 'occupancy';
  kind?: RoomKind | undefined;
  /** Search prefixes every listed room's name must have (see searchPrefixes). */
  prefixes: string[];
  /** Where the previous page ended; null for the first page. */
  after: ListPosition | null;
  limit: number;
}

export interface LobbyPage {
  ids: string[];
  /** Where this page ended, when there may be more. */
  next: ListPosition | null;
  total: number;
  totalIsLowerBound: boolean;
}

interface ReadModelCommands {
  lobbyUpsert(room: string, ownerSet: string, tombstone: string, id: string, version: number, record: string, created: number, occupancy: string, entries: string): Promise<number>;
  lobbyRemove(room: string, tombstone: string, id: string): Promise<number>;
  lobbyOccupancy(room: string, id: string, occupancy: number): Promise<number>;
  lobbyPage(...keysAndArgs: Array<string | number>): Promise<Array<string | number>>;
}
type ScriptedRedis = RedisClient & ReadModelCommands;

/** The keys of one database's read model. */
export function lobbyKeys(database: string) {
  const prefix = `meshcall:rooms:{lobby:${database.replace(/[^A-Za-z0-9_-]/g, '_')}}:`;
  return {
    prefix,
    built: `${prefix}built`,
    rebuildLock: `${prefix}rebuild-lock`,
    room: (id: string) => `${prefix}room:${id}`,
    closed: (id: string) => `${prefix}closed:${id}`,
    count: (digest: string) => `${prefix}count:${digest}`,
    owner: (userId: string) => `${prefix}owner:${userId}`,
    newest: (kind?: RoomKind) => `${prefix}newest${kind ? `:${kind}` : ''}`,
    occupancy: (kind?: RoomKind) => `${prefix}occupancy${kind ? `:${kind}` : ''}`,
    name: (namePrefix: string) => `${prefix}name:${namePrefix}`,
  };
}
export type LobbyKeys = ReturnType<typeof lobbyKeys>;

export interface LobbyReadModelDeps {
  redis: RedisClient;
  rooms: RoomRepository;
  /** The MongoDB database the model mirrors; it names the keys. */
  database: string;
  log: FastifyBaseLogger;
}

/**
 * The hot reads (join tickets, the lobby pages, the room quota) served from Redis, and how the
 * model stays in step with MongoDB: every write to MongoDB is followed by `mirror`; a write that
 * fails is retried from MongoDB in the background; a read by id that misses falls back to MongoDB
 * and repairs the entry; a missing `built` marker (Redis flushed or restarted) rebuilds the whole
 * model from MongoDB. Versions (`updatedAt`) and tombstones make those paths safe to run in any
 * order: an older version never overwrites a newer one, and a closed room never comes back.
 */
export class LobbyReadModel {
  readonly keys: LobbyKeys;
  private readonly redis: ScriptedRedis;
  private readonly pendingRepairs = new Set<string>();
  private rebuildNeeded = false;
  private rebuilding: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** While Redis or MongoDB is away every tick fails; one warning per outage is enough. */
  private failing = false;
  private builtOnce = false;

  constructor(private readonly deps: LobbyReadModelDeps) {
    this.keys = lobbyKeys(deps.database);
    const redis = deps.redis as ScriptedRedis;
    if (typeof redis.lobbyUpsert !== 'function') {
      redis.defineCommand('lobbyUpsert', { numberOfKeys: 3, lua: UPSERT_SCRIPT });
      redis.defineCommand('lobbyRemove', { numberOfKeys: 2, lua: REMOVE_SCRIPT });
      redis.defineCommand('lobbyOccupancy', { numberOfKeys: 1, lua: OCCUPANCY_SCRIPT });
      redis.defineCommand('lobbyPage', { lua: PAGE_SCRIPT });
    }
    this.redis = redis;
  }

  /** Checks the model every few seconds: rebuilds it when missing, retries failed writes. */
  start(): void {
    const tick = () =>
      void this.maintain().then(
        () => (this.failing = false),
        (error: unknown) => {
          if (!this.failing) this.deps.log.warn({ err: error }, 'could not check or repair the lobby read model; retrying');
          this.failing = true;
        },
      );
    tick();
    this.timer = setInterval(tick, MAINTENANCE_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.rebuilding?.catch(() => undefined);
  }

  async isBuilt(): Promise<boolean> {
    const built = (await this.redis.exists(this.keys.built)) === 1;
    if (built) this.builtOnce = true;
    return built;
  }

  /**
   * Readiness: true once this replica has seen the model built. A replica starting up waits for
   * it (it would answer the lobby with 503 otherwise), but a later Redis flush does not take every
   * replica out of service while one rebuilds: only the list answers 503 meanwhile, and joins
   * fall back to MongoDB.
   */
  async hasBeenBuilt(): Promise<boolean> {
    return this.builtOnce || (await this.isBuilt());
  }

  /** An open room from the model; null when it is not there (closed, or not mirrored yet): ask MongoDB. */
  async find(id: string): Promise<RoomRecord | null> {
    const [record] = await this.findMany([id]);
    return record ?? null;
  }

  /** The open rooms among `ids`, in their order; ids not in the model are left out. */
  async findMany(ids: string[]): Promise<RoomRecord[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.room(id), 'record');
    const results = (await pipeline.exec()) ?? [];
    return results.flatMap(([error, raw]) => {
      if (error) throw error;
      return typeof raw === 'string' ? (parseRecord(raw) ?? []) : [];
    });
  }

  /** Open rooms the account owns; null while the model is being built (count in MongoDB then). */
  async openRoomsOwnedBy(ownerId: string): Promise<number | null> {
    const results = await this.redis.pipeline().exists(this.keys.built).scard(this.keys.owner(ownerId)).exec();
    const [[builtError, built] = [null, 0], [countError, count] = [null, 0]] = results ?? [];
    if (builtError ?? countError) throw builtError ?? countError;
    return Number(built) === 1 ? Number(count) : null;
  }

  /** One page of open public rooms; 'not-built' while the model is being rebuilt. */
  async page(query: LobbyPageQuery): Promise<LobbyPage | 'not-built'> {
    const order = query.sort === 'newest' ? this.keys.newest(query.kind) : this.keys.occupancy(query.kind);
    const filters = query.prefixes.map((prefix) => this.keys.name(prefix));
    // The count depends on the sets, not the order: newest and occupancy of one query share it.
    const countKey = this.keys.count(createHash('sha256').update(JSON.stringify([query.kind ?? null, query.prefixes])).digest('base64url'));
    const keys = [this.keys.built, countKey, order, ...filters];
    const args = [query.limit, query.after?.score ?? '', query.after?.id ?? '', query.sort, query.kind ? '0' : '1'];
    const reply = await this.redis.lobbyPage(keys.length, ...keys, ...args);
    if (reply[0] === 'not-built') return 'not-built';
    const [, total, lowerBound, nextScore, nextId, ...rest] = reply.map(String);
    const ids = rest.filter((_value, index) => index % 2 === 0);
    return {
      ids,
      // Redis may print a large score in exponent form; the cursor always holds the integer.
      next: nextId ? { score: BigInt(Number(nextScore)).toString(), id: nextId } : null,
      total: Number(total),
      totalIsLowerBound: lowerBound === '1',
    };
  }

  /**
   * Brings the model in step with a record just written to MongoDB. Never throws: a failure is
   * logged and the room is repaired from MongoDB in the background (the request that stored it
   * has succeeded, and failing it would only tempt the client into doing it twice).
   */
  async mirror(record: RoomRecord): Promise<void> {
    try {
      await this.apply(record);
    } catch (error) {
      this.deps.log.warn({ err: error, roomId: record.id }, 'could not update the lobby read model; repairing it in the background');
      this.scheduleRepair(record.id);
    }
  }

  /** Writes a record (open: upsert; closed: remove); `occupancy` is set only by a rebuild. */
  async apply(record: RoomRecord, occupancy?: number): Promise<void> {
    if (record.closedAt) {
      await this.redis.lobbyRemove(this.keys.room(record.id), this.keys.closed(record.id), record.id);
      return;
    }
    await this.redis.lobbyUpsert(...this.upsertArgs(record, occupancy));
  }

  /**
   * Signaling's occupancy, applied by every replica that hears it (the same value, so harmless).
   * Tells whether the room is listed (public and open), or 'unknown' when the model does not hold it.
   */
  async setOccupancy(id: string, count: number): Promise<boolean | 'unknown'> {
    const listed = await this.redis.lobbyOccupancy(this.keys.room(id), id, Math.max(0, Math.min(MAX_OCCUPANCY, Math.trunc(count))));
    return listed === -1 ? 'unknown' : listed === 1;
  }

  /**
   * Rebuilds the model from MongoDB: clears it (tombstones stay), streams every open room with its
   * live occupancy into it, then marks it built. One replica at a time (a lock in Redis). Writes
   * that land meanwhile are safe: a room stored while the model is cleared is read by the stream
   * that follows, and versions and tombstones keep the stream from undoing a newer write.
   */
  async rebuild(): Promise<void> {
    const token = randomUUID();
    if ((await this.redis.set(this.keys.rebuildLock, token, 'PX', REBUILD_LOCK_MS, 'NX')) !== 'OK') return;
    const started = Date.now();
    let rooms = 0;
    try {
      await this.redis.del(this.keys.built);
      await this.clear();
      for await (const batch of this.deps.rooms.openRooms(REBUILD_BATCH)) {
        // Each room's seats live in its own slot of a Redis Cluster: read them all at once, not as one pipeline.
        const counts = await Promise.all(batch.map((record) => this.redis.zcount(...liveSeatCountArgs(record.id)).catch(() => 0)));
        const writes = this.redis.pipeline() as ReturnType<RedisClient['pipeline']> & { lobbyUpsert(...args: unknown[]): unknown };
        batch.forEach((record, index) => writes.lobbyUpsert(...this.upsertArgs(record, counts[index] ?? 0)));
        for (const [error] of (await writes.exec()) ?? []) if (error) throw error;
        rooms += batch.length;
      }
      await this.redis.set(this.keys.built, new Date().toISOString());
      this.builtOnce = true;
      this.deps.log.info({ rooms, ms: Date.now() - started }, 'lobby read model rebuilt from MongoDB');
    } finally {
      if ((await this.redis.get(this.keys.rebuildLock)) === token) await this.redis.del(this.keys.rebuildLock);
    }
  }

  private upsertArgs(record: RoomRecord, occupancy?: number): Parameters<ReadModelCommands['lobbyUpsert']> {
    return [
      this.keys.room(record.id),
      this.keys.owner(record.ownerId),
      this.keys.closed(record.id),
      record.id,
      record.updatedAt.getTime(),
      JSON.stringify(record),
      record.createdAt.getTime(),
      occupancy === undefined ? '' : String(Math.max(0, Math.min(MAX_OCCUPANCY, occupancy))),
      JSON.stringify(this.indexEntries(record)),
    ];
  }

  private indexEntries(record: RoomRecord): IndexEntry[] {
    if (record.visibility !== 'public') return [];
    return [
      [this.keys.newest(), 'n'],
      [this.keys.newest(record.kind), 'n'],
      [this.keys.occupancy(), 'o'],
      [this.keys.occupancy(record.kind), 'o'],
      ...namePrefixes(record.name).map((prefix): IndexEntry => [this.keys.name(prefix), 'n']),
    ];
  }

  /** Deletes every key of the model but the tombstones and the lock. */
  private async clear(): Promise<void> {
    const keep = (key: string) => key.startsWith(this.keys.closed('')) || key === this.keys.rebuildLock;
    for await (const keys of scanKeys(this.redis, `${escapeGlob(this.keys.prefix)}*`)) {
      const doomed = keys.filter((key) => !keep(key));
      if (doomed.length > 0) await this.redis.unlink(...doomed);
    }
  }

  private scheduleRepair(id: string): void {
    if (this.pendingRepairs.size >= MAX_PENDING_REPAIRS) this.rebuildNeeded = true;
    else this.pendingRepairs.add(id);
  }

  private async maintain(): Promise<void> {
    if (this.rebuilding) return;
    if (this.rebuildNeeded) {
      await this.redis.del(this.keys.built);
      this.rebuildNeeded = false;
      this.pendingRepairs.clear();
    }
    if (!(await this.isBuilt())) {
      this.rebuilding = this.rebuild().finally(() => (this.rebuilding = null));
      await this.rebuilding;
      return;
    }
    for (const id of [...this.pendingRepairs]) {
      const record = await this.deps.rooms.findById(id);
      if (record) await this.apply(record);
      this.pendingRepairs.delete(id);
    }
  }
}

function parseRecord(raw: string): RoomRecord | null {
  try {
    const parsed = storedRecordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
