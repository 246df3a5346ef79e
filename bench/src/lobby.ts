/**
 * `npm run bench:lobby -w @meshcall/bench`: the lobby and joins at scale (issue 15) on the stack
 * `npm start` runs (the launcher's embedded MongoDB-wire server), through the gateway. Writes
 * bench/results/lobby-scale-<rooms>.json and .md.
 *
 *   LOBBY_ROOMS=100000 (default 10000)   rooms seeded
 *   LOBBY_SAMPLES=20                     timed requests per operation
 *   LOBBY_WARMUP=2                       untimed requests before them
 *   LOBBY_BUDGET_S=120                   seconds each operation may take at most
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
import { measureLobbyAtScale, type LobbyScaleResult } from './scenarios/lobby-scale.js';

const resultsDir = fileURLToPath(new URL('../results', import.meta.url));

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

function renderMarkdown(result: LobbyScaleResult, context: { date: string; machine: ReturnType<typeof machineInfo>; busyCores: number; durationS: number }): string {
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
    `Seeded ${result.rooms} rooms (${result.publicOpenRooms} public and open, ${result.occupiedRooms} with live seats) in ${result.seedSeconds.mongo.toFixed(1)} s through the driver and ${result.seedSeconds.redis.toFixed(1)} s of Redis seats; the rooms service rebuilt its lobby read model from MongoDB in ${result.rebuildSeconds.toFixed(1)} s. First page total: ${result.firstPageTotal ?? 'n/a'}. The later page is page ${result.laterPage}, reached by following cursors.`,
    '',
    '| operation | request | samples | p50 ms | p95 ms | target p95 | |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const rooms = positiveInteger('LOBBY_ROOMS', 10_000);
  const samples = positiveInteger('LOBBY_SAMPLES', 20);
  const warmup = Number(process.env.LOBBY_WARMUP ?? 2);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`LOBBY_WARMUP must be a whole number, got ${process.env.LOBBY_WARMUP}`);
  const budgetPerOperationMs = positiveInteger('LOBBY_BUDGET_S', 120) * 1000;
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
    const durationS = Math.round((performance.now() - started) / 100) / 10;
    mkdirSync(resultsDir, { recursive: true });
    const base = join(resultsDir, `lobby-scale-${rooms}`);
    writeFileSync(`${base}.json`, `${JSON.stringify({ date, machine, versions: versions(), busyCores, durationS, ...result }, null, 2)}\n`);
    writeFileSync(`${base}.md`, renderMarkdown(result, { date, machine, busyCores, durationS }));
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
