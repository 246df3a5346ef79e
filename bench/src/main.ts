/**
 * `npm run bench`: starts the stack through the launcher, runs every load against meshcall and,
 * side by side, against PeerJS server and a naive Socket.IO relay, runs the auth and rooms
 * benchmarks as child steps, and writes bench/results/ (JSON, summary.md, SVG charts).
 * Loopback only, but for the networks phase (the network tier's namespaces, addresses from the
 * documentation ranges, nothing routed out; needs root); every load bounded in count and time;
 * the whole run within RUN_BUDGET_MS.
 *
 * BENCH_PHASES=relay,relay-gateway,idle,join,race,first-frame,children,networks selects phases (all by
 * default), for working on one of them; committed results always come from a run of all.
 * BENCH_RESULTS_DIR (a folder under bench/results) writes a partial run beside the committed
 * full one instead of over it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Stack } from '@meshcall/stack';
import type { RelayTarget } from './load/relay-target.js';
import { startBenchStack } from './bench-stack.js';
import { wasInterrupted } from './interrupt.js';
import { MeshcallApi, mapLimited } from './clients/meshcall-api.js';
import { MeshcallIdleTarget, MeshcallRelayTarget, type MeshcallCluster } from './clients/meshcall-cluster.js';
import { NaiveIdleTarget, NaiveRelayTarget } from './clients/naive-client.js';
import { PeerjsIdleTarget, PeerjsRelayTarget } from './clients/peerjs-client.js';
import { BENCH_BCRYPT_COST, BENCH_SERVICE_ENV, BENCH_USERS, CHILD_BENCHES, FIRST_FRAME, IDLE, JOIN, NETWORKS, RACE, RELAY, RELAY_PATHS, RUN_BUDGET_MS } from './config.js';
import { machineInfo, versions } from './machine.js';
import { resultsFolder } from './results-folder.js';
import { PeerGateway } from './peers/peer-gateway.js';
import { PeerProcess } from './peers/peer-process.js';
import { MACHINE_TOTAL, cpuMeter } from './process-memory.js';
import { writeReport, type BenchReport } from './report/write-report.js';
import { benchEntryArgv, runChildBench } from './scenarios/child-benches.js';
import { measureFirstFrame } from './scenarios/first-frame.js';
import { measureIdleMemory } from './scenarios/idle-memory.js';
import { measureJoinLatency } from './scenarios/join-latency.js';
import { measureNetworkFirstFrame, networkPhaseProblem } from './scenarios/network-first-frame.js';
import { runRaceTrials } from './scenarios/race-trials.js';
import { measureRelayPath, pathRatios, type RelayPath, type RelayPathResult } from './scenarios/relay-paths.js';
import { measureRelay } from './scenarios/relay.js';

// Idle memory first: its zero-connection baselines are read on freshly started servers. The
// networks phase last: it starts a stack of its own inside a network namespace.
const PHASES = ['idle', 'relay', 'relay-gateway', 'join', 'race', 'first-frame', 'children', 'networks'] as const;
type Phase = (typeof PHASES)[number];

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function selectedPhases(): Set<Phase> {
  const wanted = process.env.BENCH_PHASES?.split(',').map((p) => p.trim()).filter(Boolean);
  if (!wanted || wanted.length === 0) return new Set(PHASES);
  const unknown = wanted.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`unknown BENCH_PHASES ${unknown.join(', ')}; known: ${PHASES.join(', ')}`);
  return new Set(wanted as Phase[]);
}

async function main(): Promise<void> {
  const runStartedAt = new Date();
  const t0 = performance.now();
  const runDeadline = t0 + RUN_BUDGET_MS;
  const phases = selectedPhases();
  const resultsDir = resultsFolder();
  const progress = (line: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const deadlineIn = (budgetMs: number) => Math.min(performance.now() + budgetMs, runDeadline);

  const machine = machineInfo();
  const neededFiles = Math.max(...IDLE.levels) + 2_000;
  const report: BenchReport = {
    date: runStartedAt.toISOString(),
    phases: [...phases],
    machine,
    versions: versions(),
    settings: {
      relay: RELAY,
      relayPaths: RELAY_PATHS,
      idle: IDLE,
      join: JOIN,
      race: RACE,
      firstFrame: FIRST_FRAME,
      networks: NETWORKS,
      signalingEnv: BENCH_SERVICE_ENV,
      bcryptCostOfBenchUsers: BENCH_BCRYPT_COST,
    },
    relay: [],
    idle: [],
    childBenches: [],
    machineCpu: [],
    errors: [],
    durationS: 0,
  };
  if (machine.openFileLimit < neededFiles) {
    report.errors.push({ phase: 'setup', message: `open-file limit ${machine.openFileLimit} is below the ${neededFiles} the 10k-connection step needs (the bench script raises it to the hard limit)` });
  }
  const attempt = async (phase: string, work: () => Promise<void>) => {
    // How busy the whole machine was meanwhile: the box is shared, and a neighbour's build shows here.
    const cpu = cpuMeter([{ name: 'bench', pid: process.pid }]);
    const started = performance.now();
    try {
      await work();
    } catch (error) {
      progress(`${phase} failed: ${(error as Error).stack ?? String(error)}`);
      report.errors.push({ phase, message: (error as Error).message });
    } finally {
      report.machineCpu.push({ phase, seconds: Math.round((performance.now() - started) / 100) / 10, busyCores: cpu.stop()[MACHINE_TOTAL] ?? Number.NaN });
    }
  };

  const stackPhases = [...phases].filter((p) => p !== 'children' && p !== 'networks');
  if (stackPhases.length > 0) {
    const dataDir = mkdtempSync(join(tmpdir(), 'meshcall-bench-'));
    progress(`starting the stack (data and logs in ${dataDir})`);
    let stack: Stack | undefined;
    let naive: PeerProcess | undefined;
    let peerjs: PeerProcess | undefined;
    const peerGateways: PeerGateway[] = [];
    let redis: Redis | undefined;
    try {
      stack = await startBenchStack(dataDir, { onProgress: progress });
      naive = await PeerProcess.start('naive-relay', 'naive-relay-main.js');
      peerjs = await PeerProcess.start('peerjs', 'peerjs-main.js');
      redis = new Redis(stack.urls.redis, { maxRetriesPerRequest: 1 });
      const api = new MeshcallApi(stack.urls.auth[0] as string, stack.urls.rooms[0] as string);
      const liveStack = stack;
      // Fresh users (and access tokens) per phase: a token lives 15 minutes.
      const cluster = async (): Promise<MeshcallCluster> => ({
        api,
        users: await mapLimited(Array.from({ length: BENCH_USERS }, (_, i) => i), 2, (i) => api.register(`load-${i}`)),
        replicaUrls: liveStack.urls.signaling,
        origin: liveStack.gatewayUrl,
        replicaPids: liveStack.components.signaling.map((c) => c.process?.pid ?? Number.NaN),
        redisPid: liveStack.components.redis?.process?.pid,
        gateway: { url: liveStack.gatewayUrl, pid: liveStack.components.gateway.process?.pid ?? Number.NaN },
      });

      if (phases.has('idle')) {
        const meshcall = await cluster();
        for (const target of [new MeshcallIdleTarget(meshcall), new NaiveIdleTarget(naive), new PeerjsIdleTarget(peerjs)]) {
          await attempt(`idle: ${target.label}`, async () => {
            report.idle.push(await measureIdleMemory(target, { ...IDLE, levels: [...IDLE.levels], deadline: deadlineIn(IDLE.budgetPerTargetMs) }, progress));
          });
        }
      }
      if (phases.has('relay')) {
        const meshcall = await cluster();
        for (const target of [new MeshcallRelayTarget(meshcall, 'same-replica', 'acknowledged'), new MeshcallRelayTarget(meshcall, 'cross-replica', 'acknowledged'), new NaiveRelayTarget(naive), new PeerjsRelayTarget(peerjs)]) {
          await attempt(`relay: ${target.label}`, async () => {
            report.relay.push(await measureRelay(target, { ...RELAY, stepRates: [...RELAY.stepRates], deadline: deadlineIn(RELAY.budgetPerTargetMs) }, progress));
          });
        }
      }
      if (phases.has('relay-gateway')) {
        const meshcall = await cluster();
        const liveNaive = naive;
        const livePeerjs = peerjs;
        // Each peer behind its own nginx, rendered by the launcher from the gateway's own template.
        let nginxes: { naive: PeerGateway; peerjs: PeerGateway } | undefined;
        await attempt('relay-gateway: start the peers\' nginx', async () => {
          const naiveNginx = await PeerGateway.start('naive-nginx', liveNaive.port, dataDir);
          peerGateways.push(naiveNginx);
          const peerjsNginx = await PeerGateway.start('peerjs-nginx', livePeerjs.port, dataDir);
          peerGateways.push(peerjsNginx);
          nginxes = { naive: naiveNginx, peerjs: peerjsNginx };
        });
        if (nginxes) {
          // Through the gateway first (the figures users see), then direct; systems alternate so a
          // neighbour's burst is less likely to fall on one system only. meshcall sends as the web
          // app does (fire and forget); one more row through the gateway shows what asking for an
          // acknowledgement of every signal (the SDK's signal()) costs.
          const plan: Array<[RelayTarget, RelayPath]> = [
            [new MeshcallRelayTarget(meshcall, 'gateway', 'fire-and-forget'), 'gateway'],
            [new NaiveRelayTarget(naive, nginxes.naive), 'gateway'],
            [new PeerjsRelayTarget(peerjs, nginxes.peerjs), 'gateway'],
            [new MeshcallRelayTarget(meshcall, 'gateway', 'acknowledged'), 'gateway'],
            [new MeshcallRelayTarget(meshcall, 'cross-replica', 'fire-and-forget'), 'direct'],
            [new NaiveRelayTarget(naive), 'direct'],
            [new PeerjsRelayTarget(peerjs), 'direct'],
          ];
          const results: RelayPathResult[] = [];
          const { budgetPerTargetMs, ...planOptions } = RELAY_PATHS;
          for (const [target, path] of plan) {
            await attempt(`relay-gateway: ${target.label}`, async () => {
              results.push(await measureRelayPath(target, path, { ...planOptions, deadline: deadlineIn(budgetPerTargetMs) }, progress));
            });
          }
          report.relayPaths = { options: planOptions, results, ratios: pathRatios(results) };
        }
        for (const gateway of peerGateways.splice(0)) await gateway.stop();
      }
      if (phases.has('join')) {
        await attempt('join', async () => {
          report.join = await measureJoinLatency(await cluster(), { ...JOIN, deadline: deadlineIn(JOIN.budgetMs) }, progress);
        });
      }
      if (phases.has('race')) {
        const liveRedis = redis;
        await attempt('race', async () => {
          report.race = await runRaceTrials(await cluster(), liveRedis, { ...RACE, deadline: deadlineIn(RACE.budgetMs) }, progress);
        });
      }
      if (phases.has('first-frame')) {
        await attempt('first-frame', async () => {
          report.firstFrame = await measureFirstFrame(api, liveStack.gatewayUrl, { ...FIRST_FRAME, deadline: deadlineIn(FIRST_FRAME.budgetMs) }, progress);
        });
      }
    } finally {
      redis?.disconnect();
      for (const gateway of peerGateways) await gateway.stop();
      await naive?.stop();
      await peerjs?.stop();
      await stack?.stop();
      progress('stack stopped');
    }
    if (report.errors.length === 0) rmSync(dataDir, { recursive: true, force: true });
  }

  if (phases.has('children')) {
    mkdirSync(resultsDir, { recursive: true });
    const logFile = join(tmpdir(), `meshcall-bench-children-${Date.now()}.log`);
    for (const spec of CHILD_BENCHES) {
      const budgetMs = Math.min(spec.budgetMs, runDeadline - performance.now() - 15_000);
      const argv = benchEntryArgv(spec.name);
      if (budgetMs < 30_000) {
        report.childBenches.push({ name: spec.name, command: argv.join(' '), status: 'skipped', exitCode: null, durationS: 0, budgetS: 0, fresh: false, resultFile: `bench/results/${spec.name}.json`, note: 'no time left in the run budget' });
        continue;
      }
      progress(`child step: ${argv.join(' ')} (budget ${Math.round(budgetMs / 1000)} s, log ${logFile})`);
      const outcome = await runChildBench({ name: spec.name, argv, budgetMs }, repoRoot, resultsDir, logFile);
      progress(`child step ${spec.name}: ${outcome.status} in ${outcome.durationS} s${outcome.note ? ` (${outcome.note})` : ''}`);
      report.childBenches.push(outcome);
    }
  }

  if (phases.has('networks')) {
    mkdirSync(resultsDir, { recursive: true });
    const logFile = join(tmpdir(), `meshcall-bench-networks-${Date.now()}.log`);
    const budgetMs = Math.min(NETWORKS.budgetMs, runDeadline - performance.now() - 15_000);
    await attempt('networks', async () => {
      if (budgetMs < 60_000) throw new Error('no time left in the run budget');
      progress(`networks: npm run bench -w @meshcall/networks (budget ${Math.round(budgetMs / 1000)} s, log ${logFile})`);
      report.networks = await measureNetworkFirstFrame(repoRoot, resultsDir, logFile, budgetMs);
      const problem = networkPhaseProblem(report.networks);
      // One loud line, where no namespace can be made above all: the phase counts as an error.
      if (problem) throw new Error(`NETWORKS PHASE FAILED: ${problem} (log ${logFile})`);
      progress(`networks: completed in ${report.networks.durationS} s`);
    });
  }

  // Stopped half-way: what was measured is partial, and must not replace a committed run.
  if (wasInterrupted()) return;
  report.durationS = Math.round((performance.now() - t0) / 100) / 10;
  report.loadAverage1mAtEnd = machineInfo().loadAverage1m;
  const written = writeReport(report, resultsDir);
  progress(`wrote ${written.join(', ')} in ${report.durationS} s`);
  if (report.errors.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
