import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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

/**
 * CPU use of several processes over an interval, in cores (1.0 = one core busy), plus the whole
 * machine's (MACHINE_TOTAL), so a reading shows how much went to processes outside the bench.
 * Created when the load starts; `stop()` when it ends.
 */
export function cpuMeter(processes: Array<{ name: string; pid: number }>): { stop(): Record<string, number> } {
  const startedAt = performance.now();
  const before = new Map(processes.map((p) => [p.name, readCpuSeconds(p.pid)]));
  const machineBefore = readMachineBusySeconds();
  return {
    stop() {
      const seconds = (performance.now() - startedAt) / 1000;
      const cores = (used: number) => Math.round((used / seconds) * 100) / 100;
      const usage: Record<string, number> = {};
      for (const p of processes) usage[p.name] = cores(readCpuSeconds(p.pid) - (before.get(p.name) ?? 0));
      usage[MACHINE_TOTAL] = cores(readMachineBusySeconds() - machineBefore);
      return usage;
    },
  };
}
