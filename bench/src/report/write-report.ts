import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from '../machine.js';
import type { ChildBenchOutcome } from '../scenarios/child-benches.js';
import type { FirstFrameResult } from '../scenarios/first-frame.js';
import type { IdleMemoryResult } from '../scenarios/idle-memory.js';
import type { JoinLatencyResult } from '../scenarios/join-latency.js';
import type { NetworkFirstFrameResult } from '../scenarios/network-first-frame.js';
import type { RaceResult } from '../scenarios/race-trials.js';
import type { RelayPathsResult } from '../scenarios/relay-paths.js';
import type { RelayResult } from '../scenarios/relay.js';
import { renderCharts } from './charts.js';
import { renderSummary } from './summary.js';

export interface BenchReport {
  date: string;
  phases: string[];
  machine: MachineInfo;
  versions: Record<string, string>;
  settings: Record<string, unknown>;
  relay: RelayResult[];
  /** Through the gateway (peers behind an identical nginx) and direct, same plan (issue 14). */
  relayPaths?: RelayPathsResult;
  idle: IdleMemoryResult[];
  join?: JoinLatencyResult;
  race?: RaceResult;
  firstFrame?: FirstFrameResult;
  childBenches: ChildBenchOutcome[];
  /** The networks phase: first remote frame through each restrictive network (issue 16). */
  networks?: NetworkFirstFrameResult;
  /** The whole machine's CPU use during each measured phase (the box is shared). */
  machineCpu: Array<{ phase: string; seconds: number; busyCores: number }>;
  loadAverage1mAtEnd?: number;
  errors: Array<{ phase: string; message: string }>;
  durationS: number;
}

/** Writes meshcall-bench.json, summary.md and the charts; returns the files written. */
export function writeReport(report: BenchReport, resultsDir: string): string[] {
  mkdirSync(resultsDir, { recursive: true });
  const files: Array<[string, string]> = [
    ['meshcall-bench.json', `${JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`],
    ['summary.md', renderSummary(report)],
    ...renderCharts(report),
  ];
  for (const [name, content] of files) writeFileSync(join(resultsDir, name), content);
  return files.map(([name]) => join(resultsDir, name));
}
