/**
 * `npm run bench -w @meshcall/networks` (and the networks phase of `npm run bench`): the time to
 * the first remote video frame of a call through each of the network tier's four restrictive
 * networks, a few calls per scenario, on the tier's own topology (src/network-environment.ts):
 * the stack in the public namespace, two Chromiums in homes behind the scenario's NAT and
 * firewall. Needs root, like the tier; where namespaces cannot be made it says so in one loud
 * line and exits 1.
 *
 * Writes bench/results/networks-first-frame.{json,md} (BENCH_RESULTS_DIR: a folder under
 * bench/results instead). NETWORKS_BENCH_RUNS: calls per scenario (3; 1 to 10). Bounded: each
 * call by its own waits, the whole run by BUDGET_MS (scenarios left then are marked not run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { newParticipant } from '../../../web/e2e/support/browser.js';
import { callUntilFirstFrames, type FirstRemoteFrameMs } from '../src/first-remote-frame.js';
import { NetworkEnvironment, ORIGIN } from '../src/network-environment.js';
import { badgeOf } from '../src/quality-badge.js';
import { NETWORK_SCENARIOS } from '../src/scenarios.js';
import type { HomeProfile } from '../src/topology.js';

const BUDGET_MS = 5 * 60_000;
const repoRoot = resolve(import.meta.dirname, '../../..');

interface Spread {
  min: number;
  median: number;
  max: number;
}

interface ScenarioResult {
  scenario: string;
  homes: [HomeProfile, HomeProfile];
  /**
   * Each call that took the scenario's path: ms from Bob's join to the first decoded remote
   * frame, on Alice's and on Bob's page, and what each side's quality badge said.
   */
  calls: Array<FirstRemoteFrameMs & { badges: [string, string] }>;
  /** Over the calls: the side that saw its first frame last, i.e. when the call was up both ways. */
  bothWaysMs?: Spread;
  aliceMs?: Spread;
  bobMs?: Spread;
  failures: string[];
  notRun?: string;
}

function runsPerScenario(): number {
  const wanted = Number(process.env.NETWORKS_BENCH_RUNS ?? '3');
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 10) throw new Error(`NETWORKS_BENCH_RUNS must be a whole number from 1 to 10, not ${process.env.NETWORKS_BENCH_RUNS}`);
  return wanted;
}

/** bench/results, or the folder under it that BENCH_RESULTS_DIR names (never outside it), as bench/src/main.ts reads it. */
function resultsFolder(): string {
  const root = join(repoRoot, 'bench', 'results');
  const sub = process.env.BENCH_RESULTS_DIR?.trim();
  if (!sub) return root;
  if (!/^[A-Za-z0-9._-]+$/.test(sub) || sub.startsWith('.')) throw new Error(`BENCH_RESULTS_DIR '${sub}' must be one folder name under bench/results`);
  return join(root, sub);
}

function spread(values: number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : Math.round(((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2);
  return { min: sorted[0] as number, median, max: sorted[sorted.length - 1] as number };
}

function markdown(report: { date: string; runsPerScenario: number; durationS: number; machine: { cpus: number; loadAverage1mAtStart: number }; scenarios: ScenarioResult[]; error?: string }): string {
  const cell = (value: Spread | undefined) => (value ? `${value.median} (${value.min}–${value.max})` : '–');
  const lines = [
    '# Time to the first remote frame, by network scenario',
    '',
    `Run ${report.date}, ${report.runsPerScenario} calls per scenario, ${report.durationS} s in all, on ${report.machine.cpus} cores (load ${report.machine.loadAverage1mAtStart} at the start). ` +
      'Each call: two Chromiums in network namespaces behind the scenario\'s NAT and firewall, the stack (launcher, `--tls`) in the "public" namespace, driven through the UI; ' +
      'timed from Bob\'s click on join to the first decoded frame of the other side\'s video; a call counts only if both quality badges then say the scenario\'s path. Median (min–max), ms.',
    '',
    '| scenario | up both ways | Alice sees Bob | Bob sees Alice | failed calls |',
    '| --- | ---: | ---: | ---: | --- |',
    ...report.scenarios.map((result) => `| ${result.scenario} | ${cell(result.bothWaysMs)} | ${cell(result.aliceMs)} | ${cell(result.bobMs)} | ${result.notRun ? `not run: ${result.notRun}` : result.failures.length === 0 ? 'none' : result.failures.join('; ')} |`),
    '',
    'Reproduce (root: it makes network namespaces): `npm run bench -w @meshcall/networks` (NETWORKS_BENCH_RUNS calls per scenario, 3 by default), or `npm run bench` whose networks phase runs it. Topology and scenarios: tests/networks/README.md.',
  ];
  if (report.error) lines.push('', `**The run failed:** ${report.error}`);
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<number> {
  const started = performance.now();
  const deadline = started + BUDGET_MS;
  const runs = runsPerScenario();
  const date = new Date().toISOString();
  const machine = { cpus: cpus().length, loadAverage1mAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
  const environment = new NetworkEnvironment('NETWORK BENCH');
  const scenarios: ScenarioResult[] = [];
  let error: string | undefined;
  try {
    await environment.ready();
    for (const scenario of NETWORK_SCENARIOS) {
      const result: ScenarioResult = { scenario: scenario.name, homes: scenario.homes, calls: [], failures: [] };
      scenarios.push(result);
      if (performance.now() > deadline) {
        result.notRun = `the ${BUDGET_MS / 1000} s budget ran out`;
        continue;
      }
      try {
        // One pair of homes and browsers per scenario; each call in fresh browser contexts, with
        // fresh accounts and a fresh room, so no call reuses another's connections.
        const aliceBrowser = await environment.browserIn(1, scenario.homes[0]);
        const bobBrowser = await environment.browserIn(2, scenario.homes[1]);
        for (let call = 1; call <= runs && performance.now() < deadline; call += 1) {
          const alice = await newParticipant(aliceBrowser, ORIGIN, 'Alice');
          const bob = await newParticipant(bobBrowser, ORIGIN, 'Bob');
          try {
            const times = await callUntilFirstFrames(alice, bob, `Bench ${scenario.name.slice(0, 2)}${Date.now().toString(36)}`);
            // A figure counts for the scenario only if the call took its path (the tier asserts
            // the rest): the badges must say what the tier's scenario expects.
            const badges: [string, string] = [(await badgeOf(alice.page, bob.name, scenario.expectPath[0])).label, (await badgeOf(bob.page, alice.name, scenario.expectPath[1])).label];
            console.log(`[networks bench] ${scenario.name}, call ${call}: first remote frame ${times.alice} ms (Alice) / ${times.bob} ms (Bob); badges ${JSON.stringify(badges)}`);
            if (scenario.expectPath.every((expected, side) => expected.test(badges[side] as string))) result.calls.push({ ...times, badges });
            else result.failures.push(`call ${call}: took another path (badges ${badges.join(' / ')})`);
          } catch (failure) {
            result.failures.push(`call ${call}: ${(failure as Error).message.split('\n')[0]}`);
            console.error(`[networks bench] ${scenario.name}, call ${call} failed: ${String(failure)}`);
          } finally {
            await alice.context.close().catch(() => undefined);
            await bob.context.close().catch(() => undefined);
          }
        }
      } catch (failure) {
        result.failures.push(`set-up: ${(failure as Error).message.split('\n')[0]}`);
      } finally {
        await environment.closeHomes();
      }
      result.aliceMs = spread(result.calls.map((times) => times.alice));
      result.bobMs = spread(result.calls.map((times) => times.bob));
      result.bothWaysMs = spread(result.calls.map((times) => Math.max(times.alice, times.bob)));
    }
  } catch (failure) {
    error = (failure as Error).message;
  } finally {
    const teardownFailures = await environment.teardown(join(import.meta.dirname, '..', '.test-results', 'networks-bench-logs'));
    if (teardownFailures.length > 0) error = [error, `teardown failed: ${teardownFailures.join('; ')}`].filter(Boolean).join('; ');
  }

  const report = { date, runsPerScenario: runs, budgetS: BUDGET_MS / 1000, durationS: Math.round((performance.now() - started) / 100) / 10, machine, scenarios, ...(error ? { error } : {}) };
  const folder = resultsFolder();
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'networks-first-frame.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(folder, 'networks-first-frame.md'), markdown(report));
  console.log(markdown(report));
  const complete = !error && scenarios.every((result) => !result.notRun && result.failures.length === 0 && result.calls.length === runs);
  return complete ? 0 : 1;
}

process.exitCode = await main();
