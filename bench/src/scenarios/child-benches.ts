import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onInterrupt } from '../interrupt.js';

/**
 * Benches run as child processes of `npm run bench` with a time budget, their JSON folded into
 * the summary: the benches of one service each (auth's sign-in, rooms' list: a process of their
 * own keeps the memory and CPU the earlier phases left in this one out of their figures) and the
 * network tier's (`npm run bench -w @meshcall/networks`). A child that overruns is stopped with
 * its databases.
 */
export interface ChildBenchSpec {
  /** Result name under bench/results ("auth-sign-in" → auth-sign-in.json). */
  name: string;
  /** Program and arguments, run from the repository root. */
  argv: readonly [string, ...string[]];
  budgetMs: number;
}

/** A bench of this workspace run as a child step: its compiled entry point, built with the rest of the bench. */
export function benchEntryArgv(name: string): [string, string] {
  return ['node', `bench/dist/${name}.js`];
}

export interface ChildBenchOutcome {
  name: string;
  command: string;
  status: 'completed' | 'failed' | 'out-of-time' | 'skipped';
  exitCode: number | null;
  durationS: number;
  budgetS: number;
  /** True when the JSON was written by this run; false when an older file was folded in. */
  fresh: boolean;
  resultFile: string;
  /** The bench's JSON as written, if any. */
  result?: unknown;
  note?: string;
}

/** Every descendant of a process, from /proc (the child's own children run in their own process groups). */
function descendantsOf(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export async function runChildBench(spec: ChildBenchSpec, repoRoot: string, resultsDir: string, logFile: string): Promise<ChildBenchOutcome> {
  const command = spec.argv.join(' ');
  const resultFile = join(resultsDir, `${spec.name}.json`);
  const started = Date.now();
  const log = openSync(logFile, 'a');
  const child = spawn(spec.argv[0], spec.argv.slice(1), { cwd: repoRoot, stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Its Redis and database servers run in process groups of their own: stop every descendant by pid.
  const stopTree = async (rootPid: number) => {
    const tree = [...descendantsOf(rootPid), rootPid];
    signalAll(tree, 'SIGTERM');
    const gone = await Promise.race([exit.then(() => true), sleep(10_000, undefined, { ref: false }).then(() => false)]);
    signalAll(tree, 'SIGKILL');
    if (!gone) await exit;
  };
  const release = onInterrupt(async () => {
    if (child.pid !== undefined && child.exitCode === null) await stopTree(child.pid);
  });
  // Unreferenced: the child's own handle keeps the bench alive while it runs, and a budget timer
  // left behind when it finishes early must not keep the bench from exiting for minutes.
  const budget = sleep(spec.budgetMs, undefined, { ref: false });
  const outcome = await Promise.race([exit.then((code) => ({ timedOut: false, code })), budget.then(() => ({ timedOut: true, code: null }))]);
  let exitCode = outcome.code;
  if (outcome.timedOut && child.pid !== undefined) {
    await stopTree(child.pid);
    exitCode = null;
  }
  release();
  const durationS = Math.round((Date.now() - started) / 100) / 10;
  const status = outcome.timedOut ? 'out-of-time' : exitCode === 0 ? 'completed' : 'failed';
  // Only a step that completed wrote its JSON: these benches write at the very end, and a
  // file that changed meanwhile came from someone else's run of the same bench.
  const fresh = status === 'completed' && existsSync(resultFile) && statSync(resultFile).mtimeMs >= started;
  const result = existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as unknown) : undefined;
  const outcomeRecord: ChildBenchOutcome = { name: spec.name, command, status, exitCode, durationS, budgetS: spec.budgetMs / 1000, fresh, resultFile: relative(repoRoot, resultFile) };
  if (result !== undefined) outcomeRecord.result = result;
  if (status === 'out-of-time') outcomeRecord.note = `stopped after its ${Math.round(spec.budgetMs / 1000)} s budget; ${result ? 'the figures shown are from a run outside this one (see their date)' : 'no results of it exist'}`;
  if (status === 'failed') outcomeRecord.note = `exited with ${exitCode}; see the log`;
  return outcomeRecord;
}
