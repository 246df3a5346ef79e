/**
 * Sign-in throughput and latency of the auth service on this machine, at the production bcrypt
 * cost (12) and at the test cost (4). The service runs as its own process (as in production), the
 * load comes from this one over loopback with a fixed number of concurrent clients, and every
 * phase is bounded in requests and time. Writes bench/results/auth-sign-in.{json,md} at the
 * repository root.
 *
 * Run: npm run bench -w @meshcall/auth
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { exportPKCS8, generateKeyPair } from 'jose';
import { findFreePort, pickMongoWireServer, startBackingServices, type BackingServices } from '@meshcall/stack';

const SERVICE_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

/** Clients sending sign-ins at once: enough to keep both cores busy, few enough to stay a fair queue. */
const CONCURRENCY = 8;
const USERS = 8;
const WARMUP_SIGN_INS = 8;
const MAX_SIGN_INS = 3_000;
const MAX_LOAD_MS = 30_000;
/** One client at a time: latency without queueing, bounded like the load phase. */
const MAX_SEQUENTIAL_SIGN_INS = 200;
const MAX_SEQUENTIAL_MS = 15_000;
/** Sequential pairs comparing "unknown email" with "wrong password" response times. */
const TIMING_PAIRS = 15;
const PASSWORD = 'correct horse battery staple';

interface LatencySummary {
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface CostResult {
  bcryptCost: number;
  nodeEnv: string;
  /** One bcryptjs compare in this process, median of a few: the floor of a sign-in. */
  bcryptCompareMedianMs: number;
  signIns: number;
  failures: number;
  durationS: number;
  throughputPerS: number;
  /** Under load: includes the wait for a free core, since bcrypt runs on the service's main thread. */
  latency: LatencySummary;
  /** One request at a time. */
  sequentialLatency: LatencySummary;
  /** Same 401 either way; these show the time does not tell them apart either. */
  failedSignInLatency: { unknownEmail: LatencySummary; wrongPassword: LatencySummary };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

function summarize(latenciesMs: number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}

async function medianCompareMs(cost: number): Promise<number> {
  const hash = await bcrypt.hash(PASSWORD, cost);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await bcrypt.compare(PASSWORD, hash);
    times.push(performance.now() - start);
  }
  return summarize(times).p50Ms;
}

async function post(base: string, path: string, body: object): Promise<number> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

async function startService(backing: BackingServices, cost: number): Promise<{ base: string; child: ChildProcess; nodeEnv: string }> {
  const port = await findFreePort();
  // The production cost runs with the production configuration (which demands a real key).
  const production = cost >= 10;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const mongoUrl = new URL(backing.mongoUrl);
  mongoUrl.pathname = `/auth_bench_cost_${cost}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: SERVICE_DIR,
    env: {
      ...process.env,
      NODE_ENV: production ? 'production' : 'test',
      PORT: String(port),
      LOG_LEVEL: 'info',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'auth-bench-')),
      MONGO_URL: mongoUrl.toString(),
      REDIS_URL: backing.redisUrl,
      BCRYPT_COST: String(cost),
      AUTH_SIGNING_KEY: production ? await exportPKCS8(privateKey) : '',
      // The timing comparison sends failed sign-ins on purpose; the limit is not what is measured.
      AUTH_SIGN_IN_FREE_FAILURES: '1000000',
      AUTH_SIGN_IN_ADDRESS_MAX: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`auth exited with ${child.exitCode} during start`);
    const ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error('auth did not become ready within 30 s');
    await sleep(100);
  }
  return { base, child, nodeEnv: production ? 'production' : 'test' };
}

async function stopService(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function measure(backing: BackingServices, cost: number): Promise<CostResult> {
  const bcryptCompareMedianMs = await medianCompareMs(cost);
  const { base, child, nodeEnv } = await startService(backing, cost);
  try {
    const emails = Array.from({ length: USERS }, (_, i) => `bench-${cost}-${i}-${Date.now()}@example.test`);
    for (const email of emails) {
      const status = await post(base, '/register', { name: 'Bench', email, password: PASSWORD });
      if (status !== 201) throw new Error(`registration answered ${status}`);
    }
    for (let i = 0; i < WARMUP_SIGN_INS; i++) await post(base, '/login', { email: emails[i % USERS], password: PASSWORD });

    const latencies: number[] = [];
    let started = 0;
    let failures = 0;
    const loadStart = performance.now();
    const deadline = loadStart + MAX_LOAD_MS;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (started < MAX_SIGN_INS && performance.now() < deadline) {
          const email = emails[started % USERS]!;
          started += 1;
          const start = performance.now();
          const status = await post(base, '/login', { email, password: PASSWORD });
          if (status === 200) latencies.push(performance.now() - start);
          else failures += 1;
        }
      }),
    );
    const durationS = (performance.now() - loadStart) / 1000;

    const sequential: number[] = [];
    const sequentialDeadline = performance.now() + MAX_SEQUENTIAL_MS;
    while (sequential.length < MAX_SEQUENTIAL_SIGN_INS && performance.now() < sequentialDeadline) {
      const start = performance.now();
      const status = await post(base, '/login', { email: emails[sequential.length % USERS], password: PASSWORD });
      if (status !== 200) throw new Error(`sequential sign-in answered ${status}`);
      sequential.push(performance.now() - start);
    }

    const unknownEmail: number[] = [];
    const wrongPassword: number[] = [];
    for (let i = 0; i < TIMING_PAIRS; i++) {
      let start = performance.now();
      await post(base, '/login', { email: `nobody-${i}@example.test`, password: 'wrong password' });
      unknownEmail.push(performance.now() - start);
      start = performance.now();
      await post(base, '/login', { email: emails[i % USERS], password: 'wrong password' });
      wrongPassword.push(performance.now() - start);
    }

    return {
      bcryptCost: cost,
      nodeEnv,
      bcryptCompareMedianMs,
      signIns: latencies.length,
      failures,
      durationS: Math.round(durationS * 100) / 100,
      throughputPerS: Math.round((latencies.length / durationS) * 10) / 10,
      latency: summarize(latencies),
      sequentialLatency: summarize(sequential),
      failedSignInLatency: { unknownEmail: summarize(unknownEmail), wrongPassword: summarize(wrongPassword) },
    };
  } finally {
    await stopService(child);
  }
}

function versionOf(pkg: string): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

function commandVersion(command: string, args: string[], pattern: RegExp): string {
  try {
    return pattern.exec(execFileSync(command, args, { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function markdown(report: { machine: Record<string, unknown>; versions: Record<string, string>; load: Record<string, unknown>; results: CostResult[]; date: string }): string {
  const rows = report.results.map(
    (r) =>
      `| ${r.bcryptCost} (${r.nodeEnv}) | ${r.throughputPerS} | ${r.latency.p50Ms} | ${r.latency.p90Ms} | ${r.latency.p99Ms} | ${r.latency.maxMs} | ${r.signIns} | ${r.failures} |`,
  );
  const sequentialRows = report.results.map(
    (r) =>
      `| ${r.bcryptCost} | ${r.sequentialLatency.p50Ms} | ${r.sequentialLatency.p90Ms} | ${r.sequentialLatency.p99Ms} | ${r.sequentialLatency.samples} | ${r.bcryptCompareMedianMs} |`,
  );
  const timing = report.results.map(
    (r) =>
      `| ${r.bcryptCost} | ${r.failedSignInLatency.unknownEmail.p50Ms} | ${r.failedSignInLatency.wrongPassword.p50Ms} | ${r.failedSignInLatency.unknownEmail.p90Ms} | ${r.failedSignInLatency.wrongPassword.p90Ms} |`,
  );
  return [
    '# Auth sign-in benchmark',
    '',
    `Run ${report.date} with \`npm run bench -w @meshcall/auth\` (services/auth/bench/sign-in.bench.ts).`,
    '',
    `Machine: ${String(report.machine.cpuModel)}, ${String(report.machine.cores)} cores, ${String(report.machine.memoryGiB)} GiB, ${String(report.machine.os)}.`,
    `Versions: ${Object.entries(report.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    `Load: ${String(report.load.concurrency)} concurrent clients over loopback against the service in its own process, ` +
      `${String(report.load.users)} accounts, successful \`POST /login\` (bcrypt compare, refresh family insert, ES256 signature), ` +
      `at most ${String(report.load.maxSignIns)} sign-ins or ${String(report.load.maxLoadSeconds)} s per cost under load, then at most ` +
      `${MAX_SEQUENTIAL_SIGN_INS} sign-ins or ${MAX_SEQUENTIAL_MS / 1000} s one at a time, after ${String(report.load.warmupSignIns)} warm-up sign-ins.`,
    '',
    `Machine load average (1 min) at start and end: ${String(report.machine.loadAverageAtStart)} / ${String(report.machine.loadAverageAtEnd)} ` +
      '(the machine is shared; anything above the core count means other work competed for the CPU).',
    '',
    `Under load (${String(report.load.concurrency)} concurrent clients; latency includes queueing for the CPU):`,
    '',
    '| bcrypt cost | sign-ins/s | p50 ms | p90 ms | p99 ms | max ms | samples | non-200 |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'One client at a time (no queueing):',
    '',
    '| bcrypt cost | p50 ms | p90 ms | p99 ms | samples | one bcryptjs compare in the bench process, ms |',
    '|---|---|---|---|---|---|',
    ...sequentialRows,
    '',
    `Failed sign-ins, ${TIMING_PAIRS} sequential pairs (same 401 body; the dummy-hash compare keeps the times alike):`,
    '',
    '| bcrypt cost | unknown email p50 ms | wrong password p50 ms | unknown email p90 ms | wrong password p90 ms |',
    '|---|---|---|---|---|',
    ...timing,
    '',
    'bcryptjs is pure JavaScript on the main thread, so one auth process signs in about as fast as one core can run',
    'bcrypt at the chosen cost; more throughput means more auth replicas (the failed-sign-in limit lives in Redis, so it holds across them).',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const loadAverageAtStart = Math.round(loadavg()[0]! * 100) / 100;
  const backing = await startBackingServices();
  try {
    const results: CostResult[] = [];
    for (const cost of [12, 4]) {
      process.stderr.write(`measuring sign-in at bcrypt cost ${cost}...\n`);
      results.push(await measure(backing, cost));
    }
    const cpu = cpus()[0];
    const report = {
      date: new Date().toISOString(),
      machine: {
        cpuModel: cpu?.model ?? 'unknown',
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        os: `${platform()} ${release()}`,
        loadAverageAtStart,
        loadAverageAtEnd: Math.round(loadavg()[0]! * 100) / 100,
      },
      versions: {
        node: process.version,
        bcryptjs: versionOf('bcryptjs'),
        fastify: versionOf('fastify'),
        mongoose: versionOf('mongoose'),
        jose: versionOf('jose'),
        ioredis: versionOf('ioredis'),
        [pickMongoWireServer()]:
          pickMongoWireServer() === 'ferretdb'
            ? commandVersion('ferretdb', ['--version'], /version:\s*(\S+)/)
            : commandVersion('mongod', ['--version'], /db version (\S+)/),
        redis: commandVersion('redis-server', ['--version'], /v=(\S+)/),
      },
      load: {
        concurrency: CONCURRENCY,
        users: USERS,
        warmupSignIns: WARMUP_SIGN_INS,
        maxSignIns: MAX_SIGN_INS,
        maxLoadSeconds: MAX_LOAD_MS / 1000,
      },
      results,
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, 'auth-sign-in.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(RESULTS_DIR, 'auth-sign-in.md'), markdown(report));
    process.stdout.write(markdown(report));
  } finally {
    await backing.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exitCode = 1;
});
