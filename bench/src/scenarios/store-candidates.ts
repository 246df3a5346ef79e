import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { MongoClient, type Collection, type Document, type Filter, type Sort } from 'mongodb';
import { ROOM_KINDS } from '@meshcall/shared';
import { summarize, type LatencySummary } from '../stats.js';

/**
 * The queries the lobby, joins and room creation make, run straight through the driver against
 * candidate MongoDB-wire servers, one after the other in the same run, so that the store can be
 * chosen on ratios measured at the same moment (issue 15). Each candidate gets the same documents.
 */
export interface StoreCandidate {
  label: string;
  url: string;
}

export interface StoreQueryResult {
  query: string;
  latency: LatencySummary;
  /** The server's explain() of the query, as it answered (FerretDB on PostgreSQL shows PostgreSQL's plan). */
  plan: unknown;
}

export interface StoreCandidateResult {
  label: string;
  rooms: number;
  seedSeconds: number;
  indexSeconds: number;
  queries: StoreQueryResult[];
  error?: string;
}

const INSERT_BATCH = 5_000;
const WORDS = ['friday', 'chess', 'club', 'daily', 'standup', 'spanish', 'rust', 'python', 'study', 'group', 'night', 'morning', 'team', 'sync', 'poker', 'math'];
const DATABASE = 'meshcall_store_candidates';

/** Word-prefix tokens, the shape a scan-free name search would index (multikey). */
function prefixTokens(name: string): string[] {
  const tokens = new Set<string>();
  for (const word of name.toLowerCase().split(/[^a-z0-9]+/)) for (let end = 1; end <= Math.min(word.length, 12); end++) tokens.add(word.slice(0, end));
  return [...tokens];
}

/** The probe's documents: room ids are strings, as in services/rooms. */
interface ProbeRoom extends Document {
  _id: string;
}

function roomDocument(index: number, base: number): ProbeRoom {
  const name = `${WORDS[index % WORDS.length]} ${WORDS[(index * 7) % WORDS.length]} ${index}`;
  const createdAt = new Date(base + index * 1_000);
  const id = `s${index.toString(36).padStart(9, '0')}`;
  return {
    _id: id,
    name,
    nameLower: name.toLowerCase(),
    nameTokens: prefixTokens(name),
    kind: ROOM_KINDS[index % ROOM_KINDS.length],
    visibility: index % 4 === 3 ? 'private' : 'public',
    closedAt: null,
    createdAt,
    // One field that sorts like (createdAt, _id): a single-field sort is all a store may push down.
    listKey: `${createdAt.toISOString()}${id}`,
    capacity: 8,
    ownerId: `u${index % 1_000}`,
  };
}

interface QuerySpec {
  query: string;
  run: (rooms: Collection<ProbeRoom>) => Promise<unknown>;
  explain?: { filter: Filter<ProbeRoom>; sort?: Sort; limit?: number };
}

function querySpecs(count: number): QuerySpec[] {
  const someId = `s${Math.floor(count / 2).toString(36).padStart(9, '0')}`;
  const lobby: Filter<ProbeRoom> = { visibility: 'public', closedAt: null };
  const newest: Sort = { createdAt: -1, _id: -1 };
  const twentyIds = Array.from({ length: 20 }, (_, i) => `s${Math.floor((i * count) / 20).toString(36).padStart(9, '0')}`);
  return [
    { query: 'find by _id (join)', run: (c) => c.findOne({ _id: someId }), explain: { filter: { _id: someId } } },
    { query: 'find 20 by _id $in (occupancy page)', run: (c) => c.find({ _id: { $in: twentyIds } }).toArray(), explain: { filter: { _id: { $in: twentyIds } } } },
    { query: 'lobby filter, no sort, limit 20', run: (c) => c.find(lobby).limit(20).toArray(), explain: { filter: lobby, limit: 20 } },
    { query: 'lobby newest first, limit 20 (first page)', run: (c) => c.find(lobby).sort(newest).limit(20).toArray(), explain: { filter: lobby, sort: newest, limit: 20 } },
    { query: 'lobby by single-field listKey, limit 20', run: (c) => c.find(lobby).sort({ listKey: -1 }).limit(20).toArray(), explain: { filter: lobby, sort: { listKey: -1 }, limit: 20 } },
    { query: 'name token equality, limit 20 (search)', run: (c) => c.find({ ...lobby, nameTokens: 'chess' }).limit(20).toArray(), explain: { filter: { ...lobby, nameTokens: 'chess' }, limit: 20 } },
    { query: 'count lobby (page total)', run: (c) => c.countDocuments(lobby) },
    { query: 'count open rooms of one owner (quota at creation)', run: (c) => c.countDocuments({ ownerId: 'u7', closedAt: null }) },
  ];
}

async function timeQuery(spec: QuerySpec, rooms: Parameters<QuerySpec['run']>[0], samples: number, deadline: number): Promise<LatencySummary> {
  const latencies: number[] = [];
  await spec.run(rooms); // warm-up, untimed
  for (let n = 0; n < samples && performance.now() < deadline; n++) {
    const started = performance.now();
    await spec.run(rooms);
    latencies.push(performance.now() - started);
  }
  return summarize(latencies);
}

/** Seeds `count` rooms into each candidate (dropping what a previous run left) and times every query. */
export async function measureStoreCandidates(
  candidates: StoreCandidate[],
  options: { rooms: number; samples: number; budgetPerQueryMs: number },
  progress: (line: string) => void,
): Promise<StoreCandidateResult[]> {
  const results: StoreCandidateResult[] = [];
  const base = Date.now() - options.rooms * 1_000;
  for (const candidate of candidates) {
    const client = new MongoClient(candidate.url, { serverSelectionTimeoutMS: 10_000 });
    const result: StoreCandidateResult = { label: candidate.label, rooms: options.rooms, seedSeconds: Number.NaN, indexSeconds: Number.NaN, queries: [] };
    try {
      await client.connect();
      const rooms = client.db(DATABASE).collection<ProbeRoom>('rooms');
      await rooms.drop().catch(() => undefined);
      const seedStarted = performance.now();
      for (let start = 0; start < options.rooms; start += INSERT_BATCH) {
        const batch = [];
        for (let index = start; index < Math.min(options.rooms, start + INSERT_BATCH); index++) batch.push(roomDocument(index, base));
        await rooms.insertMany(batch, { ordered: false });
      }
      result.seedSeconds = (performance.now() - seedStarted) / 1000;
      const indexStarted = performance.now();
      // The indexes services/rooms declares for these queries, plus the two a scan-free design adds.
      await rooms.createIndex({ visibility: 1, closedAt: 1, createdAt: -1 });
      await rooms.createIndex({ ownerId: 1, createdAt: -1 });
      await rooms.createIndex({ listKey: -1 });
      await rooms.createIndex({ nameTokens: 1 });
      result.indexSeconds = (performance.now() - indexStarted) / 1000;
      progress(`store ${candidate.label}: seeded ${options.rooms} in ${result.seedSeconds.toFixed(1)} s, indexes in ${result.indexSeconds.toFixed(1)} s`);
      for (const spec of querySpecs(options.rooms)) {
        const latency = await timeQuery(spec, rooms, options.samples, performance.now() + options.budgetPerQueryMs);
        let plan: unknown = null;
        if (spec.explain) {
          let cursor = rooms.find(spec.explain.filter);
          if (spec.explain.sort) cursor = cursor.sort(spec.explain.sort);
          if (spec.explain.limit) cursor = cursor.limit(spec.explain.limit);
          const explained = await cursor.explain();
          plan = explained.queryPlanner ?? explained;
        }
        result.queries.push({ query: spec.query, latency, plan });
        progress(`store ${candidate.label}: ${spec.query}: p50 ${latency.p50Ms.toFixed(1)} ms over ${latency.samples}`);
      }
      await rooms.drop().catch(() => undefined);
    } catch (error) {
      result.error = (error as Error).message;
      progress(`store ${candidate.label} failed: ${result.error}`);
    } finally {
      await client.close();
    }
    results.push(result);
  }
  return results;
}

export interface RedisListingResult {
  rooms: number;
  publicOpenRooms: number;
  seedSeconds: number;
  /** Memory Redis reported for the listing keys (used_memory after minus before), MiB. */
  memoryMiB: number;
  queries: Array<{ query: string; latency: LatencySummary }>;
}

const REDIS_PREFIX = 'meshcall:store-candidates';

/**
 * The other candidate: the public listing served from Redis sorted sets kept in step with
 * MongoDB (score = creation time, so a keyset page is one ZRANGE BYSCORE), per kind and per name
 * token, and a hash of the rooms' listed fields. Measured against the same shape of data.
 */
export async function measureRedisListing(
  redis: Redis,
  options: { rooms: number; samples: number },
  progress: (line: string) => void,
): Promise<RedisListingResult> {
  const base = Date.now() - options.rooms * 1_000;
  await redis.eval(`for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end`, 0, `${REDIS_PREFIX}:*`);
  const memoryBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? Number.NaN);
  const seedStarted = performance.now();
  let publicOpen = 0;
  for (let start = 0; start < options.rooms; start += INSERT_BATCH) {
    const pipeline = redis.pipeline();
    for (let index = start; index < Math.min(options.rooms, start + INSERT_BATCH); index++) {
      const room = roomDocument(index, base);
      if (room.visibility !== 'public') continue;
      publicOpen++;
      const score = (room.createdAt as Date).getTime();
      pipeline.zadd(`${REDIS_PREFIX}:newest`, score, room._id);
      pipeline.zadd(`${REDIS_PREFIX}:kind:${room.kind as string}`, score, room._id);
      for (const token of room.nameTokens as string[]) pipeline.zadd(`${REDIS_PREFIX}:token:${token}`, score, room._id);
      pipeline.hset(`${REDIS_PREFIX}:rooms`, room._id, JSON.stringify({ name: room.name, kind: room.kind, capacity: room.capacity, ownerId: room.ownerId, createdAt: room.createdAt }));
    }
    await pipeline.exec();
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const memoryAfter = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? Number.NaN);
  progress(`store redis: seeded ${publicOpen} public rooms in ${seedSeconds.toFixed(1)} s, ${((memoryAfter - memoryBefore) / 2 ** 20).toFixed(0)} MiB`);
  const page = async (ids: string[]) => (ids.length === 0 ? [] : redis.hmget(`${REDIS_PREFIX}:rooms`, ...ids));
  const middleScore = base + Math.floor(options.rooms / 2) * 1_000;
  const specs: Array<{ query: string; run: () => Promise<unknown> }> = [
    { query: 'first page: ZRANGE REV LIMIT 20 + HMGET', run: async () => page(await redis.zrevrange(`${REDIS_PREFIX}:newest`, 0, 19)) },
    { query: 'later page by keyset: ZRANGE BYSCORE (cursor + HMGET', run: async () => page(await redis.zrevrangebyscore(`${REDIS_PREFIX}:newest`, `(${middleScore}`, '-inf', 'LIMIT', 0, 20)) },
    { query: 'name search: token set, 20 newest + HMGET', run: async () => page(await redis.zrevrange(`${REDIS_PREFIX}:token:chess`, 0, 19)) },
    {
      query: 'kind + search: ZINTER of kind and token sets',
      run: async () => page(((await redis.call('ZINTER', 2, `${REDIS_PREFIX}:token:chess`, `${REDIS_PREFIX}:kind:coding`, 'AGGREGATE', 'MAX')) as string[]).slice(-20)),
    },
    { query: 'count: ZCARD', run: () => redis.zcard(`${REDIS_PREFIX}:newest`) },
    { query: 'one room by id: HGET', run: () => redis.hget(`${REDIS_PREFIX}:rooms`, `s${Math.floor(options.rooms / 2).toString(36).padStart(9, '0')}`) },
  ];
  const queries: RedisListingResult['queries'] = [];
  for (const spec of specs) {
    await spec.run();
    const latencies: number[] = [];
    for (let n = 0; n < options.samples; n++) {
      const started = performance.now();
      await spec.run();
      latencies.push(performance.now() - started);
    }
    const latency = summarize(latencies);
    queries.push({ query: spec.query, latency });
    progress(`store redis: ${spec.query}: p50 ${latency.p50Ms.toFixed(2)} ms over ${latency.samples}`);
  }
  await redis.eval(`for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end`, 0, `${REDIS_PREFIX}:*`);
  return { rooms: options.rooms, publicOpenRooms: publicOpen, seedSeconds, memoryMiB: Math.round(((memoryAfter - memoryBefore) / 2 ** 20) * 10) / 10, queries };
}
