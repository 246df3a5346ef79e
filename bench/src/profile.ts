/**
 * `npm run profile -w @meshcall/bench`: where a signaling replica spends its CPU while relaying
 * or joining, or (PROFILE_LOAD=idle) what of its heap each idle connection keeps.
 * Node 20 refuses --cpu-prof in NODE_OPTIONS, so the services start with the inspector on a
 * random loopback port (NODE_OPTIONS=--inspect=127.0.0.1:0 through the launcher's serviceEnv);
 * the bench reads each replica's inspector URL from its log, records a CPU profile over the
 * DevTools protocol during a relay load at a fixed rate (or bursts of joins), and writes the
 * heaviest functions by self time to bench/results/profile-signaling-*.md. Not part of `npm run bench`:
 * profiling slows the replicas down, so no figure of the summary comes from a profiled run.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '@meshcall/stack';
import { startBenchStack } from './bench-stack.js';
import { wasInterrupted } from './interrupt.js';
import { openInspectorSession } from './inspector-session.js';
import { growthPerConnection, heapByKind, takeHeapSnapshot, type GrowthRow } from './heap-snapshot.js';
import { MeshcallApi, mapLimited } from './clients/meshcall-api.js';
import { MeshcallIdleTarget, MeshcallRelayTarget, type MeshcallCluster, type Placement, type SignalMode } from './clients/meshcall-cluster.js';
import { measureJoinLatency } from './scenarios/join-latency.js';
import { BENCH_USERS } from './config.js';
import { DeliveryLog } from './load/delivery-log.js';
import { runOpenLoop, waitFor } from './load/pacer.js';
import type { RelayPair } from './load/relay-target.js';
import { round, summarize } from './stats.js';

/**
 * relay: cross-replica signals at PROFILE_RATE/s; join: bursts of 50 concurrent joins back to
 * back; idle: heap snapshots of one replica before and after IDLE_CONNECTIONS idle sockets.
 */
const LOAD = process.env.PROFILE_LOAD === 'join' || process.env.PROFILE_LOAD === 'idle' ? process.env.PROFILE_LOAD : 'relay';
const RATE = Number(process.env.PROFILE_RATE ?? 3_000);
/**
 * Where each pair's sockets sit: across both replicas (default), both on one replica, or wherever
 * the gateway routes them (the path users take: every socket of a room on the replica it hashes to).
 */
const PLACEMENT: Placement = process.env.PROFILE_PLACEMENT === 'same-replica' || process.env.PROFILE_PLACEMENT === 'gateway' ? process.env.PROFILE_PLACEMENT : 'cross-replica';
/** Signals asking for an acknowledgement (as the SDK's signal() does, the default), or sent as the web app sends them. */
const SIGNALS: SignalMode = process.env.PROFILE_SIGNALS === 'fire-and-forget' ? 'fire-and-forget' : 'acknowledged';
const DURATION_MS = 15_000;
const PAIRS = 100;
const TOP = 25;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (name + file:line) of a V8 CPU profile, heaviest first, in % of the busy (non-idle) samples. */
export function selfTimeTable(profile: CpuProfile): Array<{ where: string; percent: number }> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    busy += 1;
    const file = frame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/services\//, 'services/');
    const where = `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
    totals.set(where, (totals.get(where) ?? 0) + 1);
  }
  return [...totals.entries()].map(([where, count]) => ({ where, percent: Math.round((count / (busy || 1)) * 1000) / 10 })).sort((a, b) => b.percent - a.percent);
}

/** A CPU profiler on one process's inspector. */
async function startProfiler(inspectorUrl: string): Promise<{ stop(): Promise<CpuProfile> }> {
  const session = await openInspectorSession(inspectorUrl);
  await session.call('Profiler.enable');
  await session.call('Profiler.setSamplingInterval', { interval: 200 });
  await session.call('Profiler.start');
  return {
    async stop() {
      const { profile } = (await session.call('Profiler.stop')) as { profile: CpuProfile };
      session.close();
      return profile;
    },
  };
}

function inspectorUrlIn(logFile: string): string {
  const match = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(readFileSync(logFile, 'utf8'));
  if (!match?.[1]) throw new Error(`no inspector URL in ${logFile}`);
  return match[1];
}

/** The command line that repeats this profile, with the settings it ran under. */
function reproduceCommand(): string {
  const settings = [`PROFILE_LOAD=${LOAD}`];
  if (LOAD === 'relay') settings.push(`PROFILE_PLACEMENT=${PLACEMENT}`, `PROFILE_SIGNALS=${SIGNALS}`, `PROFILE_RATE=${RATE}`);
  return `${settings.join(' ')} npm run profile -w @meshcall/bench`;
}

/** Relay or join load under the CPU profiler on both replicas: the report's lines. */
async function cpuProfileReport(stack: Stack, cluster: MeshcallCluster): Promise<string[]> {
  const profiles: Array<{ name: string; profile: CpuProfile }> = [];
  let latency;
  if (LOAD === 'relay') {
    const target = new MeshcallRelayTarget(cluster, PLACEMENT, SIGNALS);
    const log = new DeliveryLog(0);
    const pairs: RelayPair[] = await target.openPairs(PAIRS, { onReceive: (id) => log.receive(id), onFailure: (id, reason) => log.fail(id, reason) });
    const profilers = await Promise.all(stack.components.signaling.map((component) => startProfiler(inspectorUrlIn(component.logFile))));
    await runOpenLoop({ ratePerSecond: RATE, durationMs: DURATION_MS, send: (i) => (pairs[i % pairs.length] as RelayPair).send(log.stamp(i % pairs.length)) });
    await waitFor(() => log.outstanding === 0, 5_000);
    latency = summarize(log.latenciesMs);
    for (const [i, profiler] of profilers.entries()) profiles.push({ name: `signaling-${i + 1}`, profile: await profiler.stop() });
    await target.closePairs();
  } else {
    const profilers = await Promise.all(stack.components.signaling.map((component) => startProfiler(inspectorUrlIn(component.logFile))));
    // The untimed ticket requests between bursts idle the replicas; the self-time shares below count busy samples only.
    const joins = await measureJoinLatency(cluster, { joiners: 50, roomCapacity: 8, rounds: 40, deadline: performance.now() + DURATION_MS }, () => undefined);
    latency = joins.latency;
    for (const [i, profiler] of profilers.entries()) profiles.push({ name: `signaling-${i + 1}`, profile: await profiler.stop() });
  }
  const what =
    LOAD === 'relay'
      ? `${PAIRS} pairs (${PLACEMENT === 'gateway' ? 'through the gateway' : PLACEMENT}), ${RATE} ${SIGNALS === 'acknowledged' ? 'acknowledged' : 'fire-and-forget'} signals/s for ${DURATION_MS / 1000} s`
      : `bursts of 50 concurrent room:join (7 rooms of 8 seats, both replicas) for ${DURATION_MS / 1000} s, fresh tickets between bursts`;
  const lines = [
    `# Where a signaling replica spends its CPU: ${LOAD === 'relay' ? 'relaying signals' : 'joining'}`,
    '',
    `Generated by \`${reproduceCommand()}\` on ${new Date().toISOString()}: two replicas sampled through the inspector (200 µs), ${what}; latency meanwhile (slowed by the profiler): p50 ${latency?.p50Ms} ms, p99 ${latency?.p99Ms} ms. Self time per function in % of the replica's busy samples (idle, "(program)" and "(garbage collector)" are shown, idle is left out of the shares).`,
    '',
  ];
  for (const { name, profile } of profiles) {
    lines.push(`## ${name}`, '', '| self % | function (file:line) |', '|---|---|');
    for (const row of selfTimeTable(profile).slice(0, TOP)) lines.push(`| ${row.percent} | \`${row.where.replace(/\|/g, '\\|')}\` |`);
    lines.push('');
  }
  return lines;
}

/** Sockets connected before the first snapshot, so what a replica sets up once for its first connections is not counted per connection. */
const WARM_CONNECTIONS = 200;
const IDLE_CONNECTIONS = 3_000;
const IDLE_CONCURRENCY = 50;
/** The same quiet as the bench's idle phase before it reads memory. */
const IDLE_SETTLE_MS = 2_000;
/** Kinds of object that grew by less per connection are in the total only. */
const IDLE_MIN_BYTES = 16;

/** Heap snapshots of replica 1 before and after IDLE_CONNECTIONS idle authenticated sockets: the report's lines. */
async function idleHeapReport(stack: Stack, cluster: MeshcallCluster): Promise<string[]> {
  const [replica] = stack.components.signaling;
  if (!replica) throw new Error('no signaling replica is running');
  // The bench's idle sockets, all on replica 1.
  const sockets = new MeshcallIdleTarget({ ...cluster, replicaUrls: cluster.replicaUrls.slice(0, 1) });
  const session = await openInspectorSession(inspectorUrlIn(replica.logFile));
  try {
    await sockets.open(WARM_CONNECTIONS, IDLE_CONCURRENCY);
    await sleep(IDLE_SETTLE_MS);
    const before = heapByKind(await takeHeapSnapshot(session));
    await sockets.open(IDLE_CONNECTIONS, IDLE_CONCURRENCY);
    await sleep(IDLE_SETTLE_MS);
    const after = heapByKind(await takeHeapSnapshot(session));
    const growth = growthPerConnection(before, after, IDLE_CONNECTIONS, IDLE_MIN_BYTES);
    const row = (r: GrowthRow) => `| ${Math.round(r.bytesPerConnection)} | ${round(r.objectsPerConnection, 2)} | \`${r.kind.replace(/\|/g, '\\|')}\` |`;
    return [
      '# What a signaling replica keeps for each idle connection',
      '',
      `Generated by \`${reproduceCommand()}\` on ${new Date().toISOString()}: ${WARM_CONNECTIONS} authenticated sockets connected to replica 1, then a heap snapshot (which collects garbage first), then ${IDLE_CONNECTIONS} more sockets and a second snapshot, each ${IDLE_SETTLE_MS / 1000} s after the last connection as in the bench's idle phase. The table divides what each kind of object grew by among the ${IDLE_CONNECTIONS} connections: self sizes, so an object's contents are counted where they live. "native" rows are memory outside the V8 heap that the snapshot sees.`,
      '',
      `Per connection: **${Math.round(growth.totalBytesPerConnection)} bytes** in the snapshot. (The replica's RSS is not read here: taking a snapshot grows it by far more than the connections do.)`,
      '',
      '| bytes per connection | objects per connection | kind (type and constructor or function) |',
      '|---|---|---|',
      ...growth.rows.map(row),
      '',
    ];
  } finally {
    session.close();
    await sockets.closeAll();
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meshcall-profile-'));
  // Each replica with the inspector on an ephemeral port, for its CPU profile or heap snapshots.
  const stack = await startBenchStack(dataDir, { serviceEnv: { NODE_OPTIONS: '--inspect=127.0.0.1:0' } });
  let lines: string[];
  try {
    const api = new MeshcallApi(stack.urls.auth[0] as string, stack.urls.rooms[0] as string);
    const users = await mapLimited(Array.from({ length: BENCH_USERS }, (_, i) => i), 2, (i) => api.register(`profile-${i}`));
    const cluster: MeshcallCluster = {
      api,
      users,
      replicaUrls: stack.urls.signaling,
      origin: stack.gatewayUrl,
      replicaPids: stack.components.signaling.map((c) => c.process?.pid ?? 0),
      redisPid: undefined,
      gateway: { url: stack.gatewayUrl, pid: stack.components.gateway.process?.pid ?? Number.NaN },
    };
    lines = LOAD === 'idle' ? await idleHeapReport(stack, cluster) : await cpuProfileReport(stack, cluster);
  } finally {
    await stack.stop();
  }
  // Stopped half-way: the samples are partial, and must not replace a committed profile.
  if (wasInterrupted()) return;
  const variant = LOAD === 'relay' ? `${PLACEMENT === 'cross-replica' ? '' : `-${PLACEMENT}`}${SIGNALS === 'fire-and-forget' ? '-fire-and-forget' : ''}` : '';
  const out = fileURLToPath(new URL(`../results/profile-signaling-${LOAD}${variant}.md`, import.meta.url));
  writeFileSync(out, `${lines.join('\n')}\n`);
  process.stderr.write(`wrote ${out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
