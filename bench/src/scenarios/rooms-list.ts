/**
 * List latency with 10,000 rooms: seeds rooms in bulk straight into the database and live seats
 * into Redis, starts the real rooms app (its built `buildApp`) on a real port in this process
 * against the launcher's MongoDB-wire server and Redis, and measures `GET /` (newest, search,
 * occupancy sort) under a bounded load. Access tokens come from auth's own token issuer, its
 * JWKS served over loopback.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freemem, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { customAlphabet } from 'nanoid';
import { GUEST_TOKEN_TTL_SECONDS, ROOM_KINDS, redisKeys, roomPageResponseSchema } from '@meshcall/shared';
import { loadSigningKey } from '@meshcall/server-kit';
import { startBackingServices } from '@meshcall/stack';
import { onInterrupt } from '../interrupt.js';
import { createAccessTokens } from '@meshcall/auth/dist/tokens/access-tokens.js';
import { buildApp } from '@meshcall/rooms/dist/app.js';
import { loadRoomsConfig } from '@meshcall/rooms/dist/config.js';
import { lobbyKeys } from '@meshcall/rooms/dist/repositories/lobby-read-model.js';
import { MongoRoomRepository, type RoomDocument } from '@meshcall/rooms/dist/repositories/mongo-room-repository.js';
import { ROOMS_LIST } from '../config.js';
import { commandVersion, machineInfo, type MachineInfo } from '../machine.js';
import { packageVersion } from '../package-dir.js';
import { ratePerSecond, round, summarize } from '../stats.js';

const ADJECTIVES = ['Friday', 'Morning', 'Quiet', 'Open', 'Advanced', 'Beginner', 'Weekly', 'Late', 'Remote', 'Daily'];
const TOPICS = ['chess', 'standup', 'pairing', 'spanish', 'algebra', 'review', 'retro', 'karaoke', 'design', 'book club'];
/** The search scenario's term: in one name in ten. */
const SEARCH_TERM = 'Karaoke';

const roomId = customAlphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-', 10);

interface ListScenario {
  name: string;
  path: string;
  description: string;
}

export interface ListScenarioResult {
  name: string;
  path: string;
  description: string;
  requests: number;
  total: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  requestsPerSecond: number;
}

export interface RawOperationResult {
  operation: string;
  meanMs: number;
  maxMs: number;
}

export interface RoomsListReport {
  benchmark: 'rooms-list';
  date: string;
  seed: { rooms: number; publicOpen: number; occupiedRooms: number };
  load: { concurrency: number; warmup: number; measured: number; pageSize: number };
  scenarios: ListScenarioResult[];
  rawOperations: RawOperationResult[];
  machine: MachineInfo & { freeMemoryGiB: number; loadAverageAtStart: number[] };
  versions: Record<string, string>;
}

interface Owner {
  id: string;
  name: string;
}

/** A user id in the shape auth hands out (a MongoDB ObjectId in hex). */
function newOwner(name: string): Owner {
  return { id: randomBytes(12).toString('hex'), name };
}

/** Auth's access-token issuer with a throwaway key, its JWKS on a loopback port for rooms to fetch. */
async function startTokenIssuer(redis: Redis, dataDir: string) {
  const signingKey = await loadSigningKey({ pem: undefined, dataDir, fileName: 'bench-signing-key.json', production: false });
  const tokens = createAccessTokens({ signingKey, previousPublicKey: undefined, ttlSeconds: 3600, guestTtlSeconds: GUEST_TOKEN_TTL_SECONDS, revocations: redis });
  const server = createServer((request, response) => {
    if (request.url !== '/.well-known/jwks.json') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(tokens.jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    issue: async (user: Owner) => (await tokens.issue({ userId: user.id, name: user.name, sessionId: randomUUID() })).accessToken,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function seedRooms(repository: MongoRoomRepository, owners: Owner[]): Promise<RoomDocument[]> {
  const now = Date.now();
  const documents: RoomDocument[] = [];
  for (let i = 0; i < ROOMS_LIST.rooms; i++) {
    const kind = ROOM_KINDS[i % ROOM_KINDS.length] ?? 'coding';
    const name = `${ADJECTIVES[i % ADJECTIVES.length]} ${TOPICS[Math.floor(i / ADJECTIVES.length) % TOPICS.length]} ${i}`;
    const owner = owners[i % owners.length] as Owner;
    const visibility = i % 10 < ROOMS_LIST.publicShare * 10 ? 'public' : 'private';
    // One room a minute going back a week: "newest" has a clear order.
    const createdAt = new Date(now - i * 60_000);
    documents.push({
      _id: roomId(),
      name,
      kind,
      visibility,
      capacity: kind === 'game' ? 2 : 2 + (i % 7),
      ownerId: owner.id,
      ownerName: owner.name,
      allowedUsers: [],
      inviteCode: visibility === 'private' ? roomId() + roomId() : null,
      locked: false,
      createdAt,
      updatedAt: createdAt,
      closedAt: i % Math.round(1 / ROOMS_LIST.closedShare) === 7 ? createdAt : null,
    });
  }
  for (let start = 0; start < documents.length; start += ROOMS_LIST.insertBatch) {
    await repository.model.insertMany(documents.slice(start, start + ROOMS_LIST.insertBatch), { ordered: false, lean: true });
  }
  return documents;
}

async function seedSeats(redis: Redis, documents: RoomDocument[]): Promise<void> {
  const leaseEndsAt = Date.now() + 60 * 60_000; // outlives the run
  const pipeline = redis.pipeline();
  // Spread over old and new rooms alike, so the occupancy sort has work throughout the list.
  for (let i = 0; i < ROOMS_LIST.occupiedRooms; i++) {
    const room = documents[(i * 5) % documents.length] as RoomDocument;
    const count = 1 + (i % room.capacity);
    for (let seat = 0; seat < count; seat++) pipeline.zadd(redisKeys.roomSeats(room._id), leaseEndsAt, `peer-${i}-${seat}`);
  }
  await pipeline.exec();
}

async function runScenario(baseUrl: string, token: string, scenario: ListScenario): Promise<ListScenarioResult> {
  const headers = { authorization: `Bearer ${token}` };
  let total = 0;
  async function once(): Promise<number> {
    const started = performance.now();
    const response = await fetch(`${baseUrl}${scenario.path}`, { headers });
    const body = await response.json();
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`${scenario.name}: HTTP ${response.status} ${JSON.stringify(body)}`);
    total = roomPageResponseSchema.parse(body).total;
    return elapsed;
  }
  for (let i = 0; i < ROOMS_LIST.warmupRequests; i++) await once();

  const latencies: number[] = [];
  const deadline = Date.now() + ROOMS_LIST.scenarioTimeLimitMs;
  let issued = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (issued < ROOMS_LIST.measuredRequests && Date.now() < deadline) {
      issued += 1;
      latencies.push(await once());
    }
  }
  await Promise.all(Array.from({ length: ROOMS_LIST.concurrency }, () => worker()));
  const elapsedMs = performance.now() - started;
  const summary = summarize(latencies);
  return {
    name: scenario.name,
    path: scenario.path,
    description: scenario.description,
    requests: summary.samples,
    total,
    p50Ms: summary.p50Ms,
    p99Ms: summary.p99Ms,
    meanMs: summary.meanMs,
    maxMs: summary.maxMs,
    requestsPerSecond: ratePerSecond(summary.samples, elapsedMs),
  };
}

/**
 * Waits until the listing answers again. /readyz is no use here: after startup a rebuild does not
 * take the service out of readiness, only the listing answers 503 until it is done.
 */
async function waitForLobby(app: Awaited<ReturnType<typeof buildApp>>, token: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    await sleep(500);
    const listing = await app.inject({ method: 'GET', url: '/?pageSize=1', headers: { authorization: `Bearer ${token}` } });
    if (listing.statusCode === 200) return;
    if (listing.statusCode !== 503) throw new Error(`the listing answered ${listing.statusCode} while waiting for the rebuild: ${listing.body}`);
  }
  throw new Error('the lobby read model was not rebuilt within 120 s');
}

/**
 * The database operations behind the list, timed one at a time straight through the driver, so
 * the report shows where the time of a request goes.
 */
async function timeRawOperations(repository: MongoRoomRepository, someId: string): Promise<RawOperationResult[]> {
  const publicOpen = { visibility: 'public', closedAt: null };
  const operations: Array<[string, () => Promise<unknown>]> = [
    ['find by id', () => repository.model.findById(someId).lean().exec()],
    ['find 20 open public rooms, unsorted', () => repository.model.find(publicOpen).limit(20).lean().exec()],
    ['find 20 open public rooms, newest first', () => repository.model.find(publicOpen).sort({ createdAt: -1, _id: -1 }).limit(20).lean().exec()],
    ['count open public rooms', () => repository.model.countDocuments(publicOpen).exec()],
  ];
  const results: RawOperationResult[] = [];
  for (const [operation, run] of operations) {
    await run();
    const samples: number[] = [];
    for (let i = 0; i < ROOMS_LIST.rawSamples; i++) {
      const started = performance.now();
      await run();
      samples.push(performance.now() - started);
    }
    const summary = summarize(samples);
    results.push({ operation, meanMs: summary.meanMs, maxMs: summary.maxMs });
  }
  return results;
}

export function renderRoomsList(report: RoomsListReport): string {
  const ms = (value: number) => value.toFixed(2);
  const rows = report.scenarios.map(
    (s) => `| ${s.name} | \`GET ${s.path}\` | ${s.total} | ${s.requests} | ${ms(s.p50Ms)} | ${ms(s.p99Ms)} | ${ms(s.meanMs)} | ${ms(s.maxMs)} | ${s.requestsPerSecond} |`,
  );
  return [
    '# Rooms: list latency with 10,000 rooms',
    '',
    `Run ${report.date} with \`npm run bench:rooms -w @meshcall/bench\` (bench/src/scenarios/rooms-list.ts).`,
    '',
    `Seed: ${report.seed.rooms} rooms (${report.seed.publicOpen} public and open, the rest private or closed), ${report.seed.occupiedRooms} of them with live seats in Redis.`,
    `Load: ${report.load.concurrency} requests in flight, ${report.load.warmup} warm-up then ${report.load.measured} measured requests per scenario (at most ${ROOMS_LIST.scenarioTimeLimitMs / 1000} s each), over real HTTP on 127.0.0.1, page size 20.`,
    "The list is served from the lobby read model in Redis (see services/rooms/README.md); the raw operations below are MongoDB's, for comparison.",
    '',
    '| scenario | request | matching rooms | requests | p50 ms | p99 ms | mean ms | max ms | req/s |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    '## Where the time goes: single database operations (driver, no HTTP, one at a time)',
    '',
    '| operation | mean ms | max ms |',
    '| --- | ---: | ---: |',
    ...report.rawOperations.map((r) => `| ${r.operation} | ${ms(r.meanMs)} | ${ms(r.maxMs)} |`),
    '',
    '## Machine and versions',
    '',
    `- CPU: ${report.machine.cpuModel} × ${report.machine.cores}; memory ${report.machine.memoryGiB} GiB; ${report.machine.os}`,
    `- Load average when the run started: ${report.machine.loadAverageAtStart.join(', ')} (the machine is shared with other work)`,
    `- Node ${report.versions.node}; fastify ${report.versions.fastify}; mongoose ${report.versions.mongoose}; ioredis ${report.versions.ioredis}`,
    `- MongoDB-wire server: ${report.versions.mongoWire}; Redis: ${report.versions.redis}`,
    '',
    'The load generator runs in the same process as the service and the databases share the same cores, so',
    'these numbers are for comparing changes on this machine, not a capacity statement.',
    '',
  ].join('\n');
}

export async function measureRoomsList(): Promise<RoomsListReport> {
  const loadAverageAtStart = loadavg().map((value) => round(value, 2));
  const backing = await startBackingServices();
  const dataDir = mkdtempSync(join(tmpdir(), 'rooms-bench-'));
  const redis = new Redis(backing.redisUrl);
  const issuer = await startTokenIssuer(redis, dataDir);
  const mongoUrl = new URL(backing.mongoUrl);
  mongoUrl.pathname = '/rooms_bench';
  const config = loadRoomsConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    MONGO_URL: mongoUrl.toString(),
    REDIS_URL: backing.redisUrl,
    AUTH_JWKS_URL: issuer.jwksUrl,
    TURN_SECRET: 'bench-turn-secret-0123456789',
  });
  const app = await buildApp(config, { logger: false });
  let cleanedUp = false;
  const cleanUp = async () => {
    if (cleanedUp) return;
    cleanedUp = true;
    await app.close();
    redis.disconnect();
    await issuer.stop();
    // The databases run in their own process groups: without this (onInterrupt) an interrupted run leaves them behind.
    await backing.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  onInterrupt(cleanUp);
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const seeding = new MongoRoomRepository(await mongoose.createConnection(mongoUrl.toString()).asPromise());
    await seeding.ensureIndexes();
    const owners = Array.from({ length: 50 }, (_, i) => newOwner(`Owner ${i}`));
    const seededAt = performance.now();
    const documents = await seedRooms(seeding, owners);
    await seedSeats(redis, documents);
    console.log(`seeded ${ROOMS_LIST.rooms} rooms in ${Math.round(performance.now() - seededAt)} ms`);
    const rawOperations = await timeRawOperations(seeding, (documents[ROOMS_LIST.rooms / 2] as RoomDocument)._id);
    for (const raw of rawOperations) console.log(`raw: ${raw.operation.padEnd(42)} mean ${raw.meanMs} ms`);
    await seeding.model.db.close();
    // Seeded behind the service's back: drop the read model's marker so it is rebuilt from MongoDB.
    await redis.del(lobbyKeys('rooms_bench').built);
    const token = await issuer.issue(newOwner('Bench'));
    await waitForLobby(app, token);
    const publicOpen = documents.filter((room) => room.visibility === 'public' && room.closedAt === null).length;

    const scenarios: ListScenario[] = [
      { name: 'newest', path: '/?pageSize=20', description: 'first page, newest first' },
      { name: 'search', path: `/?q=${SEARCH_TERM}&pageSize=20`, description: 'name search (start of words)' },
      { name: 'search, no match', path: '/?q=zzzz-nothing&pageSize=20', description: 'search that matches nothing' },
      { name: 'kind + search', path: `/?kind=learning&q=${SEARCH_TERM}&pageSize=20`, description: 'kind filter and search' },
      { name: 'occupancy', path: '/?sort=occupancy&pageSize=20', description: 'busiest first, first page' },
    ];
    const results: ListScenarioResult[] = [];
    for (const scenario of scenarios) {
      const result = await runScenario(baseUrl, token, scenario);
      console.log(`${result.name.padEnd(28)} p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  (${result.requests} requests, ${result.total} matching)`);
      results.push(result);
    }
    return {
      benchmark: 'rooms-list',
      date: new Date().toISOString(),
      seed: { rooms: ROOMS_LIST.rooms, publicOpen, occupiedRooms: ROOMS_LIST.occupiedRooms },
      load: { concurrency: ROOMS_LIST.concurrency, warmup: ROOMS_LIST.warmupRequests, measured: ROOMS_LIST.measuredRequests, pageSize: 20 },
      scenarios: results,
      rawOperations,
      machine: { ...machineInfo(), freeMemoryGiB: round(freemem() / 2 ** 30, 2), loadAverageAtStart },
      versions: {
        node: process.versions.node,
        fastify: packageVersion('fastify'),
        mongoose: packageVersion('mongoose'),
        ioredis: packageVersion('ioredis'),
        mongoWire: process.env.MONGO_URL ? 'external (MONGO_URL)' : `FerretDB ${commandVersion('ferretdb', ['--version'], /version:\s*(\S+)/)}`,
        redis: commandVersion('redis-server', ['--version'], /v=(\S+)/),
      },
    };
  } finally {
    await cleanUp();
  }
}
