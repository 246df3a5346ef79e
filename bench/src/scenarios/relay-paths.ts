import { performance } from 'node:perf_hooks';
import { figureRatios, microsecondsPerMessage, perSocketRate, serverMicrosecondsPerMessage, type ComparableFigures, type FigureRatios } from '../cpu-accounting.js';
import type { DeliveryPaths, RelayTarget, SystemName } from '../load/relay-target.js';
import { RelayRun, settle, type CeilingResult, type RateStep } from './relay.js';

/**
 * Issue 14's relay comparison: each system on the path users take (meshcall through its nginx
 * gateway, each peer behind an identical nginx) and directly, in one run, with the same plan for
 * all: a latency step, one high open-loop step spread so that no socket exceeds signaling's
 * per-socket limit, and a closed-loop ceiling, each with every process's CPU per message.
 */

export type RelayPath = 'direct' | 'gateway';

export interface RelayPathsOptions {
  pairs: number;
  latencyRate: number;
  latencyDurationMs: number;
  highRate: number;
  highDurationMs: number;
  ceilingDurationMs: number;
  ceilingWindow: number;
  /** Signaling's default per-socket refill rate: the open-loop steps must stay under it. */
  perSocketLimit: number;
  /** No new load starts after this (performance.now()). */
  deadline: number;
}

/** CPU per message of one load: each process, and the server processes summed. */
export interface LoadCpu {
  microsecondsPerMessage: Record<string, number>;
  serverMicrosecondsPerMessage: number;
}

export interface RelayPathResult {
  system: SystemName;
  path: RelayPath;
  label: string;
  /** meshcall's extra row: each signal acknowledged (left out of the ratios, which compare the web app's way). */
  acknowledged?: true;
  pairs: number;
  atLatencyRate: RateStep & { cpu: LoadCpu };
  highStep: (RateStep & { cpu: LoadCpu; perSenderRate: number }) | null;
  ceiling: (CeilingResult & { cpu: LoadCpu }) | null;
  /** meshcall: signals of the whole run delivered by the replica that relayed them, and across replicas. */
  deliveryPaths?: DeliveryPaths;
}

export interface RelayPathsResult {
  options: Omit<RelayPathsOptions, 'deadline'>;
  results: RelayPathResult[];
  /** meshcall ÷ each peer on the same path. */
  ratios: Array<{ path: RelayPath; peer: SystemName; ratios: FigureRatios }>;
}

/** CPU per message over a load's window: delivered messages carry the cost of the whole window. */
export function loadCpu(cpuSeconds: Record<string, number> | undefined, delivered: number): LoadCpu {
  const perMessage = microsecondsPerMessage(cpuSeconds ?? {}, delivered);
  return { microsecondsPerMessage: perMessage, serverMicrosecondsPerMessage: serverMicrosecondsPerMessage(perMessage) };
}

/** The figures the ratios compare, from one system's result on one path. */
export function comparable(result: RelayPathResult): ComparableFigures {
  return {
    p50Ms: result.atLatencyRate.latency.p50Ms,
    p99Ms: result.atLatencyRate.latency.p99Ms,
    highStepDeliveredPerS: result.highStep?.deliveredPerS ?? Number.NaN,
    highStepP99Ms: result.highStep?.latency.p99Ms ?? Number.NaN,
    ceilingPerS: result.ceiling?.deliveredPerS ?? Number.NaN,
    serverMicrosecondsPerMessage: result.ceiling?.cpu.serverMicrosecondsPerMessage ?? Number.NaN,
  };
}

/** meshcall ÷ PeerJS and ÷ naive relay on each path where both were measured. */
export function pathRatios(results: RelayPathResult[]): RelayPathsResult['ratios'] {
  const ratios: RelayPathsResult['ratios'] = [];
  for (const path of ['gateway', 'direct'] as const) {
    const meshcall = results.find((r) => r.system === 'meshcall' && r.path === path && !r.acknowledged);
    if (!meshcall) continue;
    for (const peer of ['naive', 'peerjs'] as const) {
      const other = results.find((r) => r.system === peer && r.path === path);
      if (other) ratios.push({ path, peer, ratios: figureRatios(comparable(meshcall), comparable(other)) });
    }
  }
  return ratios;
}

/** What asking for an acknowledgement of every signal costs meshcall: acknowledged ÷ fire and forget, same path. */
export function acknowledgementCost(results: RelayPathResult[]): { path: RelayPath; ratios: FigureRatios } | undefined {
  const acknowledged = results.find((r) => r.system === 'meshcall' && r.acknowledged);
  const plain = acknowledged && results.find((r) => r.system === 'meshcall' && !r.acknowledged && r.path === acknowledged.path);
  if (!acknowledged || !plain) return undefined;
  return { path: acknowledged.path, ratios: figureRatios(comparable(acknowledged), comparable(plain)) };
}

/** Refuses a plan whose open-loop steps would push a socket past signaling's per-socket limit. */
export function checkPerSocketRates(options: Pick<RelayPathsOptions, 'pairs' | 'latencyRate' | 'highRate' | 'perSocketLimit'>): void {
  for (const rate of [options.latencyRate, options.highRate]) {
    const perSocket = perSocketRate(rate, options.pairs);
    if (perSocket > options.perSocketLimit) {
      throw new Error(`${rate} msg/s over ${options.pairs} pairs is ${perSocket} msg/s per socket, above signaling's ${options.perSocketLimit}/s: use more pairs`);
    }
  }
}

/** Runs the plan on one target. */
export async function measureRelayPath(target: RelayTarget, path: RelayPath, options: RelayPathsOptions, progress: (line: string) => void): Promise<RelayPathResult> {
  checkPerSocketRates(options);
  await settle();
  const run = await RelayRun.open(target, options.pairs);
  try {
    await run.openLoopStep(options.latencyRate, 1_000); // warm-up: JIT, buffers
    const latency = await run.openLoopStep(options.latencyRate, options.latencyDurationMs);
    const atLatencyRate = { ...latency, cpu: loadCpu(latency.cpuSeconds, latency.delivered) };
    progress(`${target.label}: ${options.latencyRate}/s p50 ${latency.latency.p50Ms} ms p99 ${latency.latency.p99Ms} ms, ${atLatencyRate.cpu.serverMicrosecondsPerMessage} µs server CPU/msg`);
    let highStep: RelayPathResult['highStep'] = null;
    if (performance.now() < options.deadline) {
      const high = await run.openLoopStep(options.highRate, options.highDurationMs);
      highStep = { ...high, cpu: loadCpu(high.cpuSeconds, high.delivered), perSenderRate: perSocketRate(options.highRate, run.pairs.length) };
      progress(`${target.label}: ${options.highRate}/s over ${run.pairs.length} pairs → ${high.deliveredPerS}/s delivered, p50 ${high.latency.p50Ms} ms p99 ${high.latency.p99Ms} ms, ${high.verdict}`);
    }
    let ceiling: RelayPathResult['ceiling'] = null;
    if (performance.now() < options.deadline) {
      const closed = await run.closedLoopCeiling(options.ceilingDurationMs, options.ceilingWindow);
      ceiling = { ...closed, cpu: loadCpu(closed.cpuSeconds, closed.delivered) };
      progress(`${target.label}: ceiling ${closed.deliveredPerS}/s, ${ceiling.cpu.serverMicrosecondsPerMessage} µs server CPU/msg`);
    }
    const deliveryPaths = await target.deliveryPaths?.();
    return { system: target.system, path, label: target.label, ...(target.acknowledged && { acknowledged: true as const }), pairs: run.pairs.length, atLatencyRate, highStep, ceiling, ...(deliveryPaths && { deliveryPaths }) };
  } finally {
    await run.close();
  }
}
