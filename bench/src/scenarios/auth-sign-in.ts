/**
 * Sign-in throughput and latency of the auth service on this machine, at the production bcrypt
 * cost (12) and at the test cost (4). The service runs as its own process (its built server, as
 * in production), the load comes from this one over loopback with a fixed number of concurrent
 * clients, and every phase is bounded in requests and time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcryptjs';
import { exportPKCS8, generateKeyPair } from 'jose';
import { findFreePort, pickMongoWireServer, startBackingServices, type BackingServices } from '@meshcall/stack';
import { onInterrupt } from '../interrupt.js';
import { AUTH_SIGN_IN } from '../config.js';
import { commandVersion, machineInfo, type MachineInfo } from '../machine.js';
import { packageDir, packageVersion } from '../package-dir.js';
import { percentile, ratePerSecond, round, summarize, type LatencySummary } from '../stats.js';

const PASSWORD = 'correct horse battery staple';

/** The stats module's summary plus the p90 this bench has always reported. */
export type SignInLatency = LatencySummary & { p90Ms: number };

export interface CostResult {
  bcryptCost: number;
  nodeEnv: string;
  /** One bcryptjs compare in this process, median of a few: the floor of a sign-in. */
  bcryptCompareMedianMs: number;
  signIns: number;
  failures: number;
  durationS: number;
  throughputPerS: number;
  /** Under load: includes the wait for a free core, since bcrypt runs on the service's main thread. */
  latency: SignInLatency;
  /** One request at a time. */
  sequentialLatency: SignInLatency;
  /** Same 401 either way; these show the time does not tell them apart either. */
  failedSignInLatency: { unknownEmail: SignInLatency; wrongPassword: SignInLatency };
}

export interface AuthSignInReport {
  date: string;
  machine: MachineInfo & { loadAverageAtStart: number; loadAverageAtEnd: number };
  versions: Record<string, string>;
  load: { concurrency: number; users: number; warmupSignIns: number; maxSignIns: number; maxLoadSeconds: number };
  results: CostResult[];
}

function latencyOf(latenciesMs: readonly number[]): SignInLatency {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { ...summarize(sorted), p90Ms: round(percentile(sorted, 90)) };
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
  const serviceDir = packageDir('@meshcall/auth');
  const child = spawn(process.execPath, [join(serviceDir, 'dist', 'server.js')], {
    cwd: serviceDir,
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
    const emails = Array.from({ length: AUTH_SIGN_IN.users }, (_, i) => `bench-${cost}-${i}-${Date.now()}@example.test`);
    for (const email of emails) {
      const status = await post(base, '/register', { name: 'Bench', email, password: PASSWORD });
      if (status !== 201) throw new Error(`registration answered ${status}`);
    }
    for (let i = 0; i < AUTH_SIGN_IN.warmupSignIns; i++) await post(base, '/login', { email: emails[i % AUTH_SIGN_IN.users], password: PASSWORD });

    const latencies: number[] = [];
    let started = 0;
    let failures = 0;
    const loadStart = performance.now();
    const deadline = loadStart + AUTH_SIGN_IN.maxLoadMs;
    await Promise.all(
      Array.from({ length: AUTH_SIGN_IN.concurrency }, async () => {
        while (started < AUTH_SIGN_IN.maxSignIns && performance.now() < deadline) {
          const email = emails[started % AUTH_SIGN_IN.users] as string;
          started += 1;
          const start = performance.now();
          const status = await post(base, '/login', { email, password: PASSWORD });
          if (status === 200) latencies.push(performance.now() - start);
          else failures += 1;
        }
      }),
    );
    const loadMs = performance.now() - loadStart;

    const sequential: number[] = [];
    const sequentialDeadline = performance.now() + AUTH_SIGN_IN.maxSequentialMs;
    while (sequential.length < AUTH_SIGN_IN.maxSequentialSignIns && performance.now() < sequentialDeadline) {
      const start = performance.now();
      const status = await post(base, '/login', { email: emails[sequential.length % AUTH_SIGN_IN.users], password: PASSWORD });
      if (status !== 200) throw new Error(`sequential sign-in answered ${status}`);
      sequential.push(performance.now() - start);
    }

    const unknownEmail: number[] = [];
    const wrongPassword: number[] = [];
    for (let i = 0; i < AUTH_SIGN_IN.timingPairs; i++) {
      let start = performance.now();
      await post(base, '/login', { email: `nobody-${i}@example.test`, password: 'wrong password' });
      unknownEmail.push(performance.now() - start);
      start = performance.now();
      await post(base, '/login', { email: emails[i % AUTH_SIGN_IN.users], password: 'wrong password' });
      wrongPassword.push(performance.now() - start);
    }

    return {
      bcryptCost: cost,
      nodeEnv,
      bcryptCompareMedianMs,
      signIns: latencies.length,
      failures,
      durationS: round(loadMs / 1000, 2),
      throughputPerS: ratePerSecond(latencies.length, loadMs),
      latency: latencyOf(latencies),
      sequentialLatency: latencyOf(sequential),
      failedSignInLatency: { unknownEmail: latencyOf(unknownEmail), wrongPassword: latencyOf(wrongPassword) },
    };
  } finally {
    await stopService(child);
  }
}

export function renderAuthSignIn(report: AuthSignInReport): string {
  const ms = (value: number) => value.toFixed(1);
  const rows = report.results.map(
    (r) => `| ${r.bcryptCost} (${r.nodeEnv}) | ${r.throughputPerS} | ${ms(r.latency.p50Ms)} | ${ms(r.latency.p90Ms)} | ${ms(r.latency.p99Ms)} | ${ms(r.latency.maxMs)} | ${r.signIns} | ${r.failures} |`,
  );
  const sequentialRows = report.results.map(
    (r) => `| ${r.bcryptCost} | ${ms(r.sequentialLatency.p50Ms)} | ${ms(r.sequentialLatency.p90Ms)} | ${ms(r.sequentialLatency.p99Ms)} | ${r.sequentialLatency.samples} | ${ms(r.bcryptCompareMedianMs)} |`,
  );
  const timing = report.results.map(
    (r) =>
      `| ${r.bcryptCost} | ${ms(r.failedSignInLatency.unknownEmail.p50Ms)} | ${ms(r.failedSignInLatency.wrongPassword.p50Ms)} | ${ms(r.failedSignInLatency.unknownEmail.p90Ms)} | ${ms(r.failedSignInLatency.wrongPassword.p90Ms)} |`,
  );
  return [
    '# Auth sign-in benchmark',
    '',
    `Run ${report.date} with \`npm run bench:auth -w @meshcall/bench\` (bench/src/scenarios/auth-sign-in.ts).`,
    '',
    `Machine: ${report.machine.cpuModel}, ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, ${report.machine.os}.`,
    `Versions: ${Object.entries(report.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    `Load: ${report.load.concurrency} concurrent clients over loopback against the service in its own process, ` +
      `${report.load.users} accounts, successful \`POST /login\` (bcrypt compare, refresh family insert, ES256 signature), ` +
      `at most ${report.load.maxSignIns} sign-ins or ${report.load.maxLoadSeconds} s per cost under load, then at most ` +
      `${AUTH_SIGN_IN.maxSequentialSignIns} sign-ins or ${AUTH_SIGN_IN.maxSequentialMs / 1000} s one at a time, after ${report.load.warmupSignIns} warm-up sign-ins.`,
    '',
    `Machine load average (1 min) at start and end: ${report.machine.loadAverageAtStart} / ${report.machine.loadAverageAtEnd} ` +
      '(the machine is shared; anything above the core count means other work competed for the CPU).',
    '',
    `Under load (${report.load.concurrency} concurrent clients; latency includes queueing for the CPU):`,
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
    `Failed sign-ins, ${AUTH_SIGN_IN.timingPairs} sequential pairs (same 401 body; the dummy-hash compare keeps the times alike):`,
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

/** Both costs, one after the other, against one set of backing services. */
export async function measureAuthSignIn(): Promise<AuthSignInReport> {
  const loadAverageAtStart = round(loadavg()[0] ?? 0, 2);
  const backing = await startBackingServices();
  // Redis and the database run in process groups of their own: an interrupted run stops them here.
  const release = onInterrupt(() => backing.stop());
  try {
    const results: CostResult[] = [];
    for (const cost of [12, 4]) {
      process.stderr.write(`measuring sign-in at bcrypt cost ${cost}...\n`);
      results.push(await measure(backing, cost));
    }
    const mongoWire = pickMongoWireServer();
    return {
      date: new Date().toISOString(),
      machine: { ...machineInfo(), loadAverageAtStart, loadAverageAtEnd: round(loadavg()[0] ?? 0, 2) },
      versions: {
        node: process.version,
        bcryptjs: packageVersion('bcryptjs'),
        fastify: packageVersion('fastify'),
        mongoose: packageVersion('mongoose'),
        jose: packageVersion('jose'),
        ioredis: packageVersion('ioredis'),
        [mongoWire]: mongoWire === 'ferretdb' ? commandVersion('ferretdb', ['--version'], /version:\s*(\S+)/) : commandVersion('mongod', ['--version'], /db version (\S+)/),
        redis: commandVersion('redis-server', ['--version'], /v=(\S+)/),
      },
      load: { concurrency: AUTH_SIGN_IN.concurrency, users: AUTH_SIGN_IN.users, warmupSignIns: AUTH_SIGN_IN.warmupSignIns, maxSignIns: AUTH_SIGN_IN.maxSignIns, maxLoadSeconds: AUTH_SIGN_IN.maxLoadMs / 1000 },
      results,
    };
  } finally {
    release();
    await backing.stop();
  }
}
