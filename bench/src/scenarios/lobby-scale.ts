import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { ROOM_KINDS, redisKeys, roomPageResponseSchema, type RoomKind } from '@meshcall/shared';
import type { BenchUser } from '../clients/meshcall-api.js';
import { summarize, type LatencySummary } from '../stats.js';

/**
 * The lobby and joins at scale (issue 15): rooms are seeded in bulk straight through the driver
 * (the public API would take an hour for 100k and measure the seeding, not the lobby), live seats
 * straight into Redis as signaling writes them; the rooms service is then told to rebuild its
 * lobby read model from MongoDB (its marker is deleted, as a Redis flush would), and each
 * operation is timed through the gateway as a browser calls it.
 */
export interface LobbyScaleOptions {
  rooms: number;
  /** Timed requests per operation, after `warmup` untimed ones. */
  samples: number;
  warmup: number;
  /** No operation starts a request after its own share of the budget is spent. */
  budgetPerOperationMs: number;
}

export interface LobbyOperationResult {
  name: string;
  /** The request, relative to the gateway (`/api/rooms/...`). */
  request: string;
  /** The issue's p95 target, ms. */
  targetP95Ms: number;
  latency: LatencySummary;
  /** Fewer samples than asked means the budget ran out. */
  completed: boolean;
  /** Requests the gateway timed out (504) or that took longer than 60 s: not in the samples. */
  timeouts: number;
}

export interface LobbyScaleResult {
  rooms: number;
  publicOpenRooms: number;
  occupiedRooms: number;
  seedSeconds: { mongo: number; redis: number };
  /** From deleting the read model's marker to the lobby answering again: the rebuild from MongoDB. */
  rebuildSeconds: number;
  /** Redis memory once the read model is built (the seats and sessions are a small part of it). */
  redisUsedMiB: number;
  /** What the lobby said the total was for the first page (the count the page shows). */
  firstPageTotal: number | null;
  /** How deep the "later page" is (pages followed by cursor before it). */
  laterPage: number;
  operations: LobbyOperationResult[];
}

const INSERT_BATCH = 5_000;
const SEAT_LEASE_MS = 60 * 60_000;
const PAGE_SIZE = 20;
const ADJECTIVES = ['Friday', 'Morning', 'Quiet', 'Open', 'Advanced', 'Beginner', 'Weekly', 'Late', 'Remote', 'Daily'];
const TOPICS = ['chess', 'standup', 'pairing', 'spanish', 'algebra', 'review', 'retro', 'karaoke', 'design', 'book club'];
/** In one name in ten, so a search has thousands of matches at 100k, as a popular word would. */
const SEARCH_TERM = 'karaoke';
const REQUEST_TIMEOUT_MS = 60_000;
/** The rebuild reads every open room from the MongoDB-wire server once: a scan on FerretDB. */
const REBUILD_BUDGET_MS = 180_000;

/** The position's share: 75 % public and open, the rest private or closed; 20 % with live seats. */
export function roomShape(index: number): { visibility: 'public' | 'private'; closed: boolean; occupied: boolean } {
  const slot = index % 20;
  return { visibility: slot < 16 ? 'public' : 'private', closed: slot === 15, occupied: index % 5 === 2 };
}

/** The seeded rooms that are public and open, with their capacity: the ones every lobby viewer sees. */
export function seededPublicRooms(count: number): Array<{ id: string; capacity: number }> {
  const rooms: Array<{ id: string; capacity: number }> = [];
  for (let index = 0; index < count; index++) {
    const shape = roomShape(index);
    if (shape.visibility === 'public' && !shape.closed) rooms.push({ id: roomId(index), capacity: capacityOf(index) });
  }
  return rooms;
}

function kindOf(index: number): RoomKind {
  return ROOM_KINDS[index % ROOM_KINDS.length] as RoomKind;
}

function capacityOf(index: number): number {
  return kindOf(index) === 'game' ? 2 : 8;
}

function roomId(index: number): string {
  // Ten characters like a nanoid, unique by construction, so a bulk insert never collides.
  return `b${index.toString(36).padStart(9, '0')}`;
}

/**
 * Inserts the rooms in the stored shape of services/rooms (`RoomDocument`: the fields a room gets
 * at creation); newest last, one a second, so "newest first" has a clear order.
 */
async function seedRooms(mongoUrl: string, owner: BenchUser, count: number): Promise<{ seconds: number; publicOpen: string[]; occupied: string[] }> {
  const client = new MongoClient(mongoUrl);
  const started = performance.now();
  const publicOpen: string[] = [];
  const occupied: string[] = [];
  try {
    const rooms = client.db().collection('rooms');
    const base = Date.now() - count * 1_000;
    for (let start = 0; start < count; start += INSERT_BATCH) {
      const documents = [];
      for (let index = start; index < Math.min(count, start + INSERT_BATCH); index++) {
        const shape = roomShape(index);
        const kind = kindOf(index);
        const name = `${ADJECTIVES[index % ADJECTIVES.length]} ${TOPICS[Math.floor(index / ADJECTIVES.length) % TOPICS.length]} ${index}`;
        const createdAt = new Date(base + index * 1_000);
        const id = roomId(index);
        if (shape.visibility === 'public' && !shape.closed) publicOpen.push(id);
        if (shape.occupied && !shape.closed) occupied.push(id);
        documents.push({
          _id: id,
          name,
          kind,
          visibility: shape.visibility,
          capacity: capacityOf(index),
          ownerId: owner.userId,
          ownerName: owner.name,
          allowedUsers: [],
          invitedUsers: [],
          memberNames: {},
          inviteCode: shape.visibility === 'private' ? `invite${id}` : null,
          locked: false,
          createdAt,
          updatedAt: createdAt,
          closedAt: shape.closed ? createdAt : null,
        });
      }
      await rooms.insertMany(documents as never[], { ordered: false });
    }
  } finally {
    await client.close();
  }
  return { seconds: (performance.now() - started) / 1000, publicOpen, occupied };
}

/** One or two seats per occupied room, with leases signaling would renew; pipelined in batches. */
async function seedSeats(redis: Redis, roomIds: string[]): Promise<number> {
  const started = performance.now();
  const until = Date.now() + SEAT_LEASE_MS;
  for (let start = 0; start < roomIds.length; start += INSERT_BATCH) {
    const pipeline = redis.pipeline();
    roomIds.slice(start, start + INSERT_BATCH).forEach((id, offset) => {
      pipeline.zadd(redisKeys.roomSeats(id), until, 'bench-seat-a');
      if (offset % 2 === 0) pipeline.zadd(redisKeys.roomSeats(id), until, 'bench-seat-b');
    });
    await pipeline.exec();
  }
  return (performance.now() - started) / 1000;
}

/**
 * A request that outlives REQUEST_TIMEOUT_MS, or that the gateway gives up on (504: its upstream
 * read timeout), is counted as a timeout, not a sample, and the run goes on.
 */
async function timedRequest(url: string, init: RequestInit): Promise<{ ms: number; body: unknown } | 'timeout'> {
  const started = performance.now();
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return 'timeout';
    throw error;
  }
  const ms = performance.now() - started;
  if (response.status === 504) return 'timeout';
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return { ms, body: JSON.parse(text) as unknown };
}

interface OperationSpec {
  name: string;
  targetP95Ms: number;
  /** The request for the n-th call (joins and creations need a different room or name each time). */
  request: (call: number) => { path: string; method: 'GET' | 'POST'; body?: unknown };
}

/** Every operation of the issue's table, in its order; sequential requests, one in flight. */
function operations(publicOpen: string[], laterPage: { page: number; cursor: string }): OperationSpec[] {
  const list = (query: string) => () => ({ path: `/api/rooms/?${query}`, method: 'GET' as const });
  return [
    { name: 'first lobby page', targetP95Ms: 30, request: list(`pageSize=${PAGE_SIZE}`) },
    { name: 'name search', targetP95Ms: 60, request: list(`pageSize=${PAGE_SIZE}&q=${SEARCH_TERM}`) },
    { name: 'kind filter + search', targetP95Ms: 60, request: list(`pageSize=${PAGE_SIZE}&kind=coding&q=${SEARCH_TERM}`) },
    { name: 'occupancy sort', targetP95Ms: 50, request: list(`pageSize=${PAGE_SIZE}&sort=occupancy`) },
    { name: `later page (page ${laterPage.page})`, targetP95Ms: 30, request: list(`pageSize=${PAGE_SIZE}&cursor=${laterPage.cursor}`) },
    {
      name: 'join ticket',
      targetP95Ms: 15,
      // Spread over the collection so no call is served by a warm page of the previous one.
      request: (call) => ({ path: `/api/rooms/${publicOpen[(call * 7_919) % publicOpen.length] as string}/join`, method: 'POST', body: {} }),
    },
    { name: 'room creation', targetP95Ms: 20, request: (call) => ({ path: '/api/rooms/', method: 'POST', body: { name: `Bench new room ${call}`, kind: 'coding', visibility: 'public', capacity: 4 } }) },
  ];
}

/** Deletes the read model's marker (as a Redis flush would) and waits until the lobby answers again. */
async function rebuildReadModel(gatewayUrl: string, redis: Redis, headers: Record<string, string>, budgetMs: number): Promise<number> {
  const started = performance.now();
  const markers = await redis.keys('meshcall:rooms:{lobby:*}:built');
  if (markers.length > 0) await redis.del(...markers);
  while (performance.now() - started < budgetMs) {
    const response = await fetch(`${gatewayUrl}/api/rooms/?pageSize=1`, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    await response.arrayBuffer();
    if (response.ok) return (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the lobby read model was not rebuilt within ${budgetMs / 1000} s`);
}

/** The cursor of page `page` of the newest-first lobby, followed page by page as a scrolling client does. */
async function cursorOfPage(gatewayUrl: string, headers: Record<string, string>, page: number): Promise<string> {
  let cursor = '';
  for (let current = 1; current < page; current++) {
    const response = await fetch(`${gatewayUrl}/api/rooms/?pageSize=${PAGE_SIZE}${cursor ? `&cursor=${cursor}` : ''}`, { headers });
    const next = roomPageResponseSchema.parse(await response.json()).nextCursor;
    if (!next) throw new Error(`the lobby ended before page ${page}`);
    cursor = next;
  }
  return cursor;
}

/**
 * Seeds `options.rooms` rooms and times every lobby operation through the gateway. `owner` owns
 * the seeded rooms; `caller` makes the requests (a member of none of them, as a visitor is).
 */
export async function measureLobbyAtScale(
  stack: { gatewayUrl: string; mongoUrl: string },
  redis: Redis,
  users: { owner: BenchUser; caller: BenchUser },
  options: LobbyScaleOptions,
  progress: (line: string) => void,
): Promise<LobbyScaleResult> {
  progress(`lobby: seeding ${options.rooms} rooms through the driver`);
  const seeded = await seedRooms(stack.mongoUrl, users.owner, options.rooms);
  const redisSeconds = await seedSeats(redis, seeded.occupied);
  progress(`lobby: seeded in ${seeded.seconds.toFixed(1)} s (MongoDB-wire) + ${redisSeconds.toFixed(1)} s (Redis seats)`);

  const headers = { authorization: `Bearer ${users.caller.accessToken}`, 'content-type': 'application/json' };
  const rebuildSeconds = await rebuildReadModel(stack.gatewayUrl, redis, headers, REBUILD_BUDGET_MS);
  const redisUsedMiB = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? Number.NaN) / 2 ** 20;
  progress(`lobby: read model rebuilt from MongoDB in ${rebuildSeconds.toFixed(1)} s; Redis holds ${redisUsedMiB.toFixed(0)} MiB`);
  // Far enough down that a scan-free design has to prove itself.
  const laterPage = Math.min(200, Math.max(2, Math.floor(seeded.publicOpen.length / PAGE_SIZE / 2)));
  const laterCursor = await cursorOfPage(stack.gatewayUrl, headers, laterPage);
  let firstPageTotal: number | null = null;
  const results: LobbyOperationResult[] = [];
  let call = 0;
  for (const operation of operations(seeded.publicOpen, { page: laterPage, cursor: laterCursor })) {
    const deadline = performance.now() + options.budgetPerOperationMs;
    const latencies: number[] = [];
    let timeouts = 0;
    for (let n = 0; n < options.warmup + options.samples && performance.now() < deadline; n++) {
      const request = operation.request(call++);
      const init: RequestInit = { method: request.method, headers, ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }) };
      const answer = await timedRequest(`${stack.gatewayUrl}${request.path}`, init);
      if (answer === 'timeout') {
        timeouts++;
        continue;
      }
      if (n >= options.warmup) latencies.push(answer.ms);
      if (operation.name === 'first lobby page' && firstPageTotal === null) firstPageTotal = roomPageResponseSchema.parse(answer.body).total;
    }
    const latency = summarize(latencies);
    results.push({ name: operation.name, request: operation.request(0).path, targetP95Ms: operation.targetP95Ms, latency, completed: latencies.length === options.samples, timeouts });
    progress(`lobby: ${operation.name}: p50 ${latency.p50Ms.toFixed(1)} ms, p95 ${latency.p95Ms.toFixed(1)} ms over ${latency.samples}, ${timeouts} timed out (target p95 ≤ ${operation.targetP95Ms} ms)`);
  }
  return {
    rooms: options.rooms,
    publicOpenRooms: seeded.publicOpen.length,
    occupiedRooms: seeded.occupied.length,
    seedSeconds: { mongo: seeded.seconds, redis: redisSeconds },
    rebuildSeconds,
    redisUsedMiB,
    firstPageTotal,
    laterPage,
    operations: results,
  };
}
