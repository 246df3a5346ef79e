import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * Readings of other processes from /proc (Linux): resident memory and CPU time. Used alike for
 * meshcall's replicas, Redis and the peer servers, so every system is measured the same way.
 */

/** VmRSS of a /proc/<pid>/status text, in bytes. */
export function parseStatusRss(statusText: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  if (!match) throw new Error('no VmRSS line in /proc status');
  return Number(match[1]) * 1024;
}

export function readRssBytes(pid: number): number {
  return parseStatusRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/**
 * Value of an unlabelled-or-labelled sample in Prometheus text format (the first line of the
 * series), e.g. `nodejs_heap_size_used_bytes{service="signaling"} 123`.
 */
export function parsePrometheusValue(text: string, metric: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}

/** The sum of a metric's samples that carry the given label (any other labels too); 0 when none does. */
export function sumPrometheusSamples(text: string, metric: string, label: { name: string; value: string }): number {
  const wanted = `${label.name}="${label.value}"`;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const labels = line.slice(metric.length + 1, line.indexOf('}'));
    if (!labels.split(',').includes(wanted)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** utime + stime (fields 14 and 15) of a /proc/<pid>/stat text, in clock ticks. */
export function parseStatCpuTicks(statText: string): number {
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

let ticksPerSecond: number | undefined;
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds a process has used so far (user + system). */
export function readCpuSeconds(pid: number): number {
  return parseStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicksPerSecond();
}

/**
 * Busy and total CPU time of the whole machine from the first line of /proc/stat, in clock ticks
 * (busy = everything but idle and iowait).
 */
export function parseMachineCpuTicks(procStat: string): { busy: number; total: number } {
  const fields = (procStat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

function readMachineBusySeconds(): number {
  return parseMachineCpuTicks(readFileSync('/proc/stat', 'utf8')).busy / clockTicksPerSecond();
}

/** Key of the whole machine's CPU use in a cpuMeter reading. */
export const MACHINE_TOTAL = 'machine total';

/** Parent pid (field 4) of a /proc/<pid>/stat text. */
export function parseStatParentPid(statText: string): number {
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  return Number(fields[1]);
}

/**
 * `pid` and every process below it, from the parent pids in /proc. nginx does its work in worker
 * processes forked by the master the launcher started, and a process's own stat never counts the
 * CPU of children that are still alive, so the gateway's cost is its master plus its workers.
 */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = parseStatParentPid(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      parents.set(parent, [...(parents.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended while /proc was being read.
    }
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    tree.push(next);
    queue.push(...(parents.get(next) ?? []));
  }
  return tree;
}

/**
 * A process whose CPU a meter reads. `withChildren`: the whole tree below it (nginx master and
 * workers), resolved when the meter starts.
 */
export interface MeteredProcess {
  name: string;
  pid: number;
  withChildren?: boolean;
}

/** One meter reading: the interval, and each process's CPU in cores and in seconds. */
export interface CpuReading {
  elapsedS: number;
  /** Cores busy on average (1 = one core), rounded to 0.01; includes MACHINE_TOTAL. */
  cores: Record<string, number>;
  /** CPU seconds used in the interval, unrounded (for CPU per message); includes MACHINE_TOTAL. */
  seconds: Record<string, number>;
}

function readTreeCpuSeconds(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += readCpuSeconds(pid);
    } catch {
      // A worker that exited: its time went to its parent's cutime, which is not counted here.
    }
  }
  return total;
}

/**
 * CPU use of several processes over an interval, in cores (1.0 = one core busy), plus the whole
 * machine's (MACHINE_TOTAL), so a reading shows how much went to processes outside the bench.
 * Created when the load starts; `stop()` when it ends (`read()` for seconds too).
 */
export function cpuMeter(processes: MeteredProcess[]): { stop(): Record<string, number>; read(): CpuReading } {
  const startedAt = performance.now();
  const pids = new Map(processes.map((p) => [p.name, p.withChildren ? processTree(p.pid) : [p.pid]]));
  const before = new Map(processes.map((p) => [p.name, readTreeCpuSeconds(pids.get(p.name) ?? [])]));
  const machineBefore = readMachineBusySeconds();
  const read = (): CpuReading => {
    const elapsedS = (performance.now() - startedAt) / 1000;
    const seconds: Record<string, number> = {};
    for (const p of processes) seconds[p.name] = readTreeCpuSeconds(pids.get(p.name) ?? []) - (before.get(p.name) ?? 0);
    seconds[MACHINE_TOTAL] = readMachineBusySeconds() - machineBefore;
    const cores = Object.fromEntries(Object.entries(seconds).map(([name, used]) => [name, Math.round((used / elapsedS) * 100) / 100]));
    return { elapsedS, cores, seconds };
  };
  return { stop: () => read().cores, read };
}
