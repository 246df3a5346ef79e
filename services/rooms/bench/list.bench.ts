/**
 * List latency with 10,000 rooms: seeds rooms in bulk straight into the database and live seats
 * into Redis, starts the real rooms app on a real port against the launcher's MongoDB-wire
 * server and Redis, and measures `GET /` (newest, search, occupancy sort) under a bounded load.
 * Writes bench/results/rooms-list.json and .md at the repository root.
 *
 *   npm run bench -w @meshcall/rooms
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { customAlphabet } from 'nanoid';
import { ROOM_KINDS, redisKeys, roomPageResponseSchema } from '@meshcall/shared';
import { startBackingServices } from '@meshcall/stack';
import { buildApp } from '../src/app.js';
import { loadRoomsConfig } from '../src/config.js';
import type { RoomDocument } from '../src/repositories/mongo-room-repository.js';
import { MongoRoomRepository } from '../src/repositories/mongo-room-repository.js';
import { lobbyKeys } from '../src/repositories/lobby-read-model.js';
import { newUser, startFakeAuth } from '../test/support/fake-auth.js';

const ROOMS = 10_000;
const PUBLIC_SHARE = 0.8;
const CLOSED_SHARE = 0.05;
const OCCUPIED_ROOMS = 2_000;
const INSERT_BATCH = 1_000;
const WARMUP_REQUESTS = 3;
const MEASURED_REQUESTS = 40;
/** Requests in flight at once: one per core of the 2-core reference machine, a steady load, not a stress test. */
const CONCURRENCY = 2;
/** Each scenario stops after this long even if not every request was sent. */
const SCENARIO_TIME_LIMIT_MS = 90_000;
/** Samples per raw database operation timed beside the HTTP scenarios. */
const RAW_SAMPLES = 5;

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const resultsDir = join(repoRoot, 'bench', 'results');

const ADJECTIVES = ['Friday', 'Morning', 'Quiet', 'Open', 'Advanced', 'Beginner', 'Weekly', 'Late', 'Remote', 'Daily'];
const TOPICS = ['chess', 'standup', 'pairing', 'spanish', 'algebra', 'review', 'retro', 'karaoke', 'design', 'book club'];
/** The search scenario's term: in one name in ten. */
const SEARCH_TERM = 'Karaoke';

const roomId = customAlphabet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-', 10);

interface Scenario {
  name: string;
  path: string;
  description: string;
}

interface ScenarioResult {
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

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}

const round = (value: number) => Math.round(value * 100) / 100;

function versionOf(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function packageVersion(name: string): string {
  const file = join(repoRoot, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

async function seedRooms(repository: MongoRoomRepository, owners: Array<{ id: string; name: string }>): Promise<RoomDocument[]> {
  const now = Date.now();
  const documents: RoomDocument[] = [];
  for (let i = 0; i < ROOMS; i++) {
    const kind = ROOM_KINDS[i % ROOM_KINDS.length] ?? 'coding';
    const name = `${ADJECTIVES[i % ADJECTIVES.length]} ${TOPICS[Math.floor(i / ADJECTIVES.length) % TOPICS.length]} ${i}`;
    const owner = owners[i % owners.length] as { id: string; name: string };
    const visibility = i % 10 < PUBLIC_SHARE * 10 ? 'public' : 'private';
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
      closedAt: i % Math.round(1 / CLOSED_SHARE) === 7 ? createdAt : null,
    });
  }
  for (let start = 0; start < documents.length; start += INSERT_BATCH) {
    await repository.model.insertMany(documents.slice(start, start + INSERT_BATCH), { ordered: false, lean: true });
  }
  return documents;
}

async function seedSeats(redis: Redis, documents: RoomDocument[]): Promise<void> {
  const leaseEndsAt = Date.now() + 60 * 60_000; // outlives the run
  const pipeline = redis.pipeline();
  // Spread over old and new rooms alike, so the occupancy sort has work throughout the list.
  for (let i = 0; i < OCCUPIED_ROOMS; i++) {
    const room = documents[(i * 5) % documents.length] as RoomDocument;
    const count = 1 + (i % room.capacity);
    for (let seat = 0; seat < count; seat++) pipeline.zadd(redisKeys.roomSeats(room._id), leaseEndsAt, `peer-${i}-${seat}`);
  }
  await pipeline.exec();
}

async function runScenario(baseUrl: string, token: string, scenario: Scenario): Promise<ScenarioResult> {
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
  for (let i = 0; i < WARMUP_REQUESTS; i++) await once();

  const latencies: number[] = [];
  const deadline = Date.now() + SCENARIO_TIME_LIMIT_MS;
  let issued = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (issued < MEASURED_REQUESTS && Date.now() < deadline) {
      issued += 1;
      latencies.push(await once());
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name: scenario.name,
    path: scenario.path,
    description: scenario.description,
    requests: latencies.length,
    total,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    meanMs: round(latencies.reduce((sum, value) => sum + value, 0) / latencies.length),
    maxMs: round(latencies[latencies.length - 1] ?? 0),
    requestsPerSecond: round(latencies.length / elapsedSeconds),
  };
}

interface RawResult {
  operation: string;
  meanMs: number;
  maxMs: number;
}

/**
 * The database operations behind the list, timed one at a time straight through the driver, so
 * the report shows where the time of a request goes.
 */
/** Until the read model is rebuilt (the service checks for the marker every few seconds). */
/**
 * Waits until the listing answers again. /readyz is no use here: after startup a rebuild does not
 * take the service out of readiness, only the listing answers 503 until it is done.
 */
async function waitForLobby(app: Awaited<ReturnType<typeof buildApp>>, token: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const listing = await app.inject({ method: 'GET', url: '/?pageSize=1', headers: { authorization: `Bearer ${token}` } });
    if (listing.statusCode === 200) return;
    if (listing.statusCode !== 503) throw new Error(`the listing answered ${listing.statusCode} while waiting for the rebuild: ${listing.body}`);
  }
  throw new Error('the lobby read model was not rebuilt within 120 s');
}

async function timeRawOperations(repository: MongoRoomRepository, someId: string): Promise<RawResult[]> {
  const publicOpen = { visibility: 'public', closedAt: null };
  const operations: Array<[string, () => Promise<unknown>]> = [
    ['find by id', () => repository.model.findById(someId).lean().exec()],
    ['find 20 open public rooms, unsorted', () => repository.model.find(publicOpen).limit(20).lean().exec()],
    ['find 20 open public rooms, newest first', () => repository.model.find(publicOpen).sort({ createdAt: -1, _id: -1 }).limit(20).lean().exec()],
    ['count open public rooms', () => repository.model.countDocuments(publicOpen).exec()],
  ];
  const results: RawResult[] = [];
  for (const [operation, run] of operations) {
    await run();
    const samples: number[] = [];
    for (let i = 0; i < RAW_SAMPLES; i++) {
      const started = performance.now();
      await run();
      samples.push(performance.now() - started);
    }
    results.push({ operation, meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length), maxMs: round(Math.max(...samples)) });
  }
  return results;
}

function markdown(report: ReturnType<typeof buildReport>): string {
  const rows = report.scenarios.map(
    (s) => `| ${s.name} | \`GET ${s.path}\` | ${s.total} | ${s.requests} | ${s.p50Ms} | ${s.p99Ms} | ${s.meanMs} | ${s.maxMs} | ${s.requestsPerSecond} |`,
  );
  return [
    '# Rooms: list latency with 10,000 rooms',
    '',
    `Run ${report.date} with \`npm run bench -w @meshcall/rooms\` (services/rooms/bench/list.bench.ts).`,
    '',
    `Seed: ${report.seed.rooms} rooms (${report.seed.publicOpen} public and open, the rest private or closed), ${report.seed.occupiedRooms} of them with live seats in Redis.`,
    `Load: ${report.load.concurrency} requests in flight, ${report.load.warmup} warm-up then ${report.load.measured} measured requests per scenario (at most ${SCENARIO_TIME_LIMIT_MS / 1000} s each), over real HTTP on 127.0.0.1, page size 20.`,
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
    ...report.rawOperations.map((r) => `| ${r.operation} | ${r.meanMs} | ${r.maxMs} |`),
    '',
    '## Machine and versions',
    '',
    `- CPU: ${report.machine.cpu} × ${report.machine.cores}; memory ${report.machine.memoryGiB} GiB; ${report.machine.os}`,
    `- Load average when the run started: ${report.machine.loadAverageAtStart.join(', ')} (the machine is shared with other work)`,
    `- Node ${report.versions.node}; fastify ${report.versions.fastify}; mongoose ${report.versions.mongoose}; ioredis ${report.versions.ioredis}`,
    `- MongoDB-wire server: ${report.versions.mongoWire}; Redis: ${report.versions.redis}`,
    '',
    'The load generator runs in the same process as the service and the databases share the same cores, so',
    'these numbers are for comparing changes on this machine, not a capacity statement.',
    '',
  ].join('\n');
}

function buildReport(scenarios: ScenarioResult[], rawOperations: RawResult[], seed: { rooms: number; publicOpen: number; occupiedRooms: number }, loadAverageAtStart: number[]) {
  const cpu = cpus();
  return {
    benchmark: 'rooms-list',
    date: new Date().toISOString(),
    seed,
    load: { concurrency: CONCURRENCY, warmup: WARMUP_REQUESTS, measured: MEASURED_REQUESTS, pageSize: 20 },
    scenarios,
    rawOperations,
    machine: {
      cpu: cpu[0]?.model ?? 'unknown',
      cores: cpu.length,
      memoryGiB: round(totalmem() / 2 ** 30),
      freeMemoryGiB: round(freemem() / 2 ** 30),
      os: `${platform()} ${release()}`,
      loadAverageAtStart,
    },
    versions: {
      node: process.versions.node,
      fastify: packageVersion('fastify'),
      mongoose: packageVersion('mongoose'),
      ioredis: packageVersion('ioredis'),
      mongoWire: process.env.MONGO_URL ? 'external (MONGO_URL)' : versionOf('ferretdb', ['--version']).replace(/^version:\s*/, 'FerretDB '),
      redis: versionOf('redis-server', ['--version']),
    },
  };
}

async function main(): Promise<void> {
  const loadAverageAtStart = loadavg().map(round);
  const backing = await startBackingServices();
  const auth = await startFakeAuth();
  const dataDir = mkdtempSync(join(tmpdir(), 'rooms-bench-'));
  const redis = new Redis(backing.redisUrl);
  const mongoUrl = new URL(backing.mongoUrl);
  mongoUrl.pathname = '/rooms_bench';
  const config = loadRoomsConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    MONGO_URL: mongoUrl.toString(),
    REDIS_URL: backing.redisUrl,
    AUTH_JWKS_URL: auth.jwksUrl,
    TURN_SECRET: 'bench-turn-secret-0123456789',
  });
  const app = await buildApp(config, { logger: false });
  let cleanedUp = false;
  const cleanUp = async () => {
    if (cleanedUp) return;
    cleanedUp = true;
    await app.close();
    redis.disconnect();
    await auth.stop();
    // The databases run in their own process groups: without this an interrupted run leaves them behind.
    await backing.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const seeding = new MongoRoomRepository(await mongoose.createConnection(mongoUrl.toString()).asPromise());
    await seeding.ensureIndexes();
    const owners = Array.from({ length: 50 }, (_, i) => newUser(`Owner ${i}`));
    const seededAt = performance.now();
    const documents = await seedRooms(seeding, owners);
    await seedSeats(redis, documents);
    console.log(`seeded ${ROOMS} rooms in ${Math.round(performance.now() - seededAt)} ms`);
    const rawOperations = await timeRawOperations(seeding, (documents[ROOMS / 2] as RoomDocument)._id);
    for (const raw of rawOperations) console.log(`raw: ${raw.operation.padEnd(42)} mean ${raw.meanMs} ms`);
    await seeding.model.db.close();
    // Seeded behind the service's back: drop the read model's marker so it is rebuilt from MongoDB.
    await redis.del(lobbyKeys('rooms_bench').built);
    const token = await auth.mint(newUser('Bench'), { expiresIn: 3600 });
    await waitForLobby(app, token);
    const publicOpen = documents.filter((room) => room.visibility === 'public' && room.closedAt === null).length;

    const scenarios: Scenario[] = [
      { name: 'newest', path: '/?pageSize=20', description: 'first page, newest first' },
      { name: 'search', path: `/?q=${SEARCH_TERM}&pageSize=20`, description: 'name search (start of words)' },
      { name: 'search, no match', path: '/?q=zzzz-nothing&pageSize=20', description: 'search that matches nothing' },
      { name: 'kind + search', path: `/?kind=learning&q=${SEARCH_TERM}&pageSize=20`, description: 'kind filter and search' },
      { name: 'occupancy', path: '/?sort=occupancy&pageSize=20', description: 'busiest first, first page' },
    ];
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      const result = await runScenario(baseUrl, token, scenario);
      console.log(`${result.name.padEnd(28)} p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  (${result.requests} requests, ${result.total} matching)`);
      results.push(result);
    }
    const report = buildReport(results, rawOperations, { rooms: ROOMS, publicOpen, occupiedRooms: OCCUPIED_ROOMS }, loadAverageAtStart);
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'rooms-list.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(resultsDir, 'rooms-list.md'), markdown(report));
    console.log(`wrote ${join(resultsDir, 'rooms-list.json')} and .md`);
  } finally {
    await cleanUp();
  }
}

await main();
