/**
 * `npm run bench:lobby -w @meshcall/bench`: the lobby and joins at scale (issue 15) on the stack
 * `npm start` runs (the launcher's embedded MongoDB-wire server), through the gateway. Writes
 * bench/results/lobby-scale-<rooms>.json and .md.
 *
 *   LOBBY_ROOMS=100000 (default 10000)   rooms seeded
 *   LOBBY_SAMPLES=20                     timed requests per operation
 *   LOBBY_WARMUP=2                       untimed requests before them
 *   LOBBY_BUDGET_S=120                   seconds each operation may take at most
 *   LOBBY_VIEWERS=1000                   live lobby: WebSocket viewers (0 skips the live part)
 *   LOBBY_CHANGES_PER_S=100              live lobby: occupancy changes a second
 *   LOBBY_LIVE_S=10                      live lobby: seconds of changes
 *
 * Not a phase of `npm run bench`: seeding 100k rooms and rebuilding the lobby read model from
 * FerretDB take most of a minute before the first request is timed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Stack } from '@meshcall/stack';
import { startBenchStack } from './bench-stack.js';
import { MeshcallApi } from './clients/meshcall-api.js';
import { machineInfo, versions } from './machine.js';
import { MACHINE_TOTAL, cpuMeter } from './process-memory.js';
import { measureLiveLobby, type LiveLobbyResult } from './scenarios/lobby-live.js';
import { measureLobbyAtScale, seededPublicRooms, type LobbyScaleResult } from './scenarios/lobby-scale.js';

const resultsDir = fileURLToPath(new URL('../results', import.meta.url));
/** The issue's target: each occupancy change reaches the viewers within 250 ms p99. */
const LIVE_TARGET_P99_MS = 250;

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

function renderLive(live: LiveLobbyResult | null): string[] {
  if (!live) return [];
  const cores = Object.entries(live.cpuCores)
    .map(([name, value]) => `${name} ${value.toFixed(2)}`)
    .join(', ');
  const met = live.latency.samples > 0 && live.latency.p99Ms <= LIVE_TARGET_P99_MS ? 'met' : 'missed';
  return [
    '## Live lobby',
    '',
    `${live.viewers} lobby WebSockets through the gateway while ${live.changesPerSecond} public rooms a second changed occupancy for ${live.durationMs / 1000} s (published on Redis as signaling publishes them; each change to a different room).`,
    '',
    '| changes | deliveries expected | received | p50 ms | p95 ms | p99 ms | max ms | target p99 | |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${live.changesPublished} | ${live.deliveriesExpected} | ${live.deliveriesReceived} | ${live.latency.p50Ms.toFixed(1)} | ${live.latency.p95Ms.toFixed(1)} | ${live.latency.p99Ms.toFixed(1)} | ${live.latency.maxMs.toFixed(1)} | ≤ ${LIVE_TARGET_P99_MS} | ${met} |`,
    '',
    `CPU during the changes, in cores: ${cores}. The viewers and the publisher run in the bench's own process on the same two cores.`,
    '',
  ];
}

function renderMarkdown(result: LobbyScaleResult, live: LiveLobbyResult | null, context: { date: string; machine: ReturnType<typeof machineInfo>; busyCores: number; durationS: number }): string {
  const rows = result.operations.map((op) => {
    const met = op.latency.samples === 0 ? 'missed (no answer within the budget)' : op.latency.p95Ms <= op.targetP95Ms ? 'met' : `missed (${(op.latency.p95Ms / op.targetP95Ms).toFixed(1)}×)`;
    const shortfall = [op.completed ? '' : 'budget ran out', op.timeouts > 0 ? `${op.timeouts} timed out` : ''].filter(Boolean).join(', ');
    return `| ${op.name} | \`${op.request}\` | ${op.latency.samples}${shortfall ? ` (${shortfall})` : ''} | ${op.latency.p50Ms.toFixed(1)} | ${op.latency.p95Ms.toFixed(1)} | ≤ ${op.targetP95Ms} | ${met} |`;
  });
  return [
    `# Lobby at ${result.rooms.toLocaleString('en-US')} rooms`,
    '',
    `Run ${context.date}, ${context.durationS} s, ${context.machine.cores} cores (${context.machine.cpuModel}), load average ${context.machine.loadAverage1m} at the start; the whole machine was ${context.busyCores} cores busy on average during the timed requests (the bench itself is one sequential client).`,
    '',
    `Seeded ${result.rooms} rooms (${result.publicOpenRooms} public and open, ${result.occupiedRooms} with live seats) in ${result.seedSeconds.mongo.toFixed(1)} s through the driver and ${result.seedSeconds.redis.toFixed(1)} s of Redis seats; the rooms service rebuilt its lobby read model from MongoDB in ${result.rebuildSeconds.toFixed(1)} s, after which Redis used ${result.redisUsedMiB.toFixed(0)} MiB. First page total: ${result.firstPageTotal ?? 'n/a'}. The later page is page ${result.laterPage}, reached by following cursors.`,
    '',
    '| operation | request | samples | p50 ms | p95 ms | target p95 | |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...renderLive(live),
  ].join('\n');
}

async function main(): Promise<void> {
  const rooms = positiveInteger('LOBBY_ROOMS', 10_000);
  const samples = positiveInteger('LOBBY_SAMPLES', 20);
  const warmup = Number(process.env.LOBBY_WARMUP ?? 2);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`LOBBY_WARMUP must be a whole number, got ${process.env.LOBBY_WARMUP}`);
  const budgetPerOperationMs = positiveInteger('LOBBY_BUDGET_S', 120) * 1000;
  const viewers = Number(process.env.LOBBY_VIEWERS ?? 1000);
  if (!Number.isInteger(viewers) || viewers < 0) throw new Error(`LOBBY_VIEWERS must be a whole number, got ${process.env.LOBBY_VIEWERS}`);
  const changesPerSecond = positiveInteger('LOBBY_CHANGES_PER_S', 100);
  const liveMs = positiveInteger('LOBBY_LIVE_S', 10) * 1000;
  const progress = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const started = performance.now();
  const date = new Date().toISOString();
  const machine = machineInfo();
  const dataDir = mkdtempSync(join(tmpdir(), 'meshcall-bench-lobby-'));
  let stack: Stack | undefined;
  let redis: Redis | undefined;
  let failed = false;
  try {
    stack = await startBenchStack(dataDir, { onProgress: progress });
    redis = new Redis(stack.urls.redis, { maxRetriesPerRequest: 1 });
    const api = new MeshcallApi(stack.urls.auth[0] as string, stack.urls.rooms[0] as string);
    const [owner, caller] = [await api.register('lobby-owner'), await api.register('lobby-visitor')];
    const cpu = cpuMeter([]);
    const result = await measureLobbyAtScale({ gatewayUrl: stack.gatewayUrl, mongoUrl: stack.urls.mongo }, redis, { owner, caller }, { rooms, samples, warmup, budgetPerOperationMs }, progress);
    const busyCores = cpu.stop()[MACHINE_TOTAL] ?? Number.NaN;
    const processes = [
      { name: 'rooms', pid: stack.components.rooms[0]?.process?.pid ?? Number.NaN },
      { name: 'gateway', pid: stack.components.gateway.process?.pid ?? Number.NaN, withChildren: true },
    ];
    const live =
      viewers === 0
        ? null
        : await measureLiveLobby({ gatewayUrl: stack.gatewayUrl }, redis, caller.accessToken, seededPublicRooms(rooms), processes, { viewers, changesPerSecond, durationMs: liveMs }, progress);
    if (live) progress(`lobby live: p50 ${live.latency.p50Ms.toFixed(1)} ms, p99 ${live.latency.p99Ms.toFixed(1)} ms, ${live.deliveriesReceived}/${live.deliveriesExpected} delivered (target p99 ≤ ${LIVE_TARGET_P99_MS} ms)`);
    const durationS = Math.round((performance.now() - started) / 100) / 10;
    mkdirSync(resultsDir, { recursive: true });
    const base = join(resultsDir, `lobby-scale-${rooms}`);
    writeFileSync(`${base}.json`, `${JSON.stringify({ date, machine, versions: versions(), busyCores, durationS, ...result, live }, null, 2)}\n`);
    writeFileSync(`${base}.md`, renderMarkdown(result, live, { date, machine, busyCores, durationS }));
    progress(`wrote ${base}.json and .md`);
  } catch (error) {
    failed = true;
    progress(`lobby bench failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    redis?.disconnect();
    await stack?.stop();
    if (!failed) rmSync(dataDir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

await main();
