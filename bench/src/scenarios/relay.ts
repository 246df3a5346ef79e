import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryLog } from '../load/delivery-log.js';
import { runOpenLoop, waitFor } from '../load/pacer.js';
import type { RelayPair, RelayTarget, SystemName } from '../load/relay-target.js';
import { LOAD_GENERATOR } from '../cpu-accounting.js';
import { cpuMeter, type MeteredProcess } from '../process-memory.js';
import { ratePerSecond, round, summarize, type LatencySummary } from '../stats.js';

/** A step counts as sustained only if the p99 stays under this; beyond it a queue is building. */
export const SUSTAINABLE_P99_MS = 50;
/** Quiet time before a system's first load, after the previous system's sockets closed. */
const SETTLE_MS = 3_000;
/** After sending stops, stragglers get this long to arrive before they count as lost. */
const DRAIN_MS = 2_000;

export interface RelayLoadOptions {
  pairs: number;
  latencyRate: number;
  latencyDurationMs: number;
  stepRates: number[];
  stepDurationMs: number;
  ceilingDurationMs: number;
  /** Messages each pair keeps in flight in the closed-loop ceiling phase. */
  ceilingWindow: number;
  /** No new step starts after this (performance.now()). */
  deadline: number;
}

export interface RateStep {
  offeredPerS: number;
  /** What the load generator managed to send; below the offer means the generator was the limit. */
  sentPerS: number;
  deliveredPerS: number;
  sent: number;
  delivered: number;
  failed: number;
  failures: Record<string, number>;
  lost: number;
  latency: LatencySummary;
  /** CPU per process during the step, in cores (1 = one core busy). */
  cpuCores: Record<string, number>;
  /** CPU seconds per process over the same window, unrounded (absent in results before 2026-12-06). */
  cpuSeconds?: Record<string, number>;
  sustainable: boolean;
  verdict: string;
}

export interface CeilingResult {
  pairs: number;
  window: number;
  durationS: number;
  delivered: number;
  deliveredPerS: number;
  failed: number;
  failures: Record<string, number>;
  latency: LatencySummary;
  cpuCores: Record<string, number>;
  /** CPU seconds per process over the window, unrounded (absent in results before 2026-12-06). */
  cpuSeconds?: Record<string, number>;
}

export interface RelayResult {
  system: SystemName;
  label: string;
  pairs: number;
  atLatencyRate: RateStep;
  steps: RateStep[];
  highestSustainable: RateStep | null;
  ceiling: CeilingResult | null;
}

function judge(step: Omit<RateStep, 'sustainable' | 'verdict'>): { sustainable: boolean; verdict: string } {
  if (step.sentPerS < step.offeredPerS * 0.95) return { sustainable: false, verdict: `the load generator sent only ${step.sentPerS}/s` };
  if (step.failed > 0) return { sustainable: false, verdict: `${step.failed} sends refused (${Object.keys(step.failures).join(', ')})` };
  if (step.lost > 0) return { sustainable: false, verdict: `${step.lost} messages not delivered within ${DRAIN_MS} ms` };
  if (step.latency.p99Ms > SUSTAINABLE_P99_MS) return { sustainable: false, verdict: `p99 ${step.latency.p99Ms} ms > ${SUSTAINABLE_P99_MS} ms` };
  return { sustainable: true, verdict: 'sustained' };
}

/**
 * Pairs of one system, open and introduced, with the loads that run on them: open-loop steps at a
 * fixed rate and a closed-loop ceiling. Every message carries a bench id; the delivery log of the
 * load running now receives it.
 */
export class RelayRun {
  private current: DeliveryLog | undefined;
  private idBase = 0;

  private constructor(
    private readonly target: RelayTarget,
    readonly pairs: RelayPair[],
    /** The system's processes and the load generator, for CPU readings. */
    readonly processes: MeteredProcess[],
  ) {}

  static async open(target: RelayTarget, count: number): Promise<RelayRun> {
    // The handlers are bound before the run exists: they reach it through this holder.
    const holder: { run?: RelayRun } = {};
    const pairs = await target.openPairs(count, {
      onReceive: (id) => holder.run?.current?.receive(id),
      onFailure: (id, reason) => holder.run?.current?.fail(id, reason),
    });
    holder.run = new RelayRun(target, pairs, [...target.processes(), { name: LOAD_GENERATOR, pid: process.pid }]);
    return holder.run;
  }

  /** `rate` messages per second spread over the pairs for `durationMs`, then up to DRAIN_MS for stragglers. */
  async openLoopStep(rate: number, durationMs: number): Promise<RateStep> {
    const log = new DeliveryLog(this.idBase);
    this.current = log;
    const cpu = cpuMeter(this.processes);
    const start = performance.now();
    const { sent, elapsedMs } = await runOpenLoop({
      ratePerSecond: rate,
      durationMs,
      send: (index) => {
        const pair = index % this.pairs.length;
        (this.pairs[pair] as RelayPair).send(log.stamp(pair));
      },
    });
    await waitFor(() => log.outstanding === 0, DRAIN_MS);
    const reading = cpu.read();
    this.idBase = log.idCeiling;
    this.current = undefined;
    const deliveryWindowMs = (Number.isNaN(log.lastDeliveryAt) ? performance.now() : log.lastDeliveryAt) - start;
    const step = {
      offeredPerS: rate,
      sentPerS: ratePerSecond(sent, elapsedMs),
      deliveredPerS: ratePerSecond(log.delivered, Math.max(deliveryWindowMs, elapsedMs)),
      sent,
      delivered: log.delivered,
      failed: log.failed,
      failures: Object.fromEntries(log.failures),
      lost: log.outstanding,
      latency: summarize(log.latenciesMs),
      cpuCores: reading.cores,
      cpuSeconds: reading.seconds,
    };
    return { ...step, ...judge(step) };
  }

  /**
   * Each pair keeps `window` messages in flight and sends the next as soon as one arrives, for a
   * fixed time: the delivered rate is what the system carries when it is never idle.
   */
  async closedLoopCeiling(durationMs: number, window: number): Promise<CeilingResult> {
    const pairs = this.pairs;
    let sending = true;
    const log: DeliveryLog = new DeliveryLog(this.idBase, (pair) => {
      if (sending) (pairs[pair] as RelayPair).send(log.stamp(pair));
    });
    this.current = log;
    const cpu = cpuMeter(this.processes);
    const start = performance.now();
    for (let pair = 0; pair < pairs.length; pair++) {
      for (let i = 0; i < window; i++) (pairs[pair] as RelayPair).send(log.stamp(pair));
    }
    await sleep(durationMs);
    sending = false;
    const elapsedMs = performance.now() - start;
    const deliveredInWindow = log.delivered;
    const reading = cpu.read();
    await waitFor(() => log.outstanding === 0, DRAIN_MS);
    this.idBase = log.idCeiling;
    this.current = undefined;
    return {
      pairs: pairs.length,
      window,
      durationS: round(elapsedMs / 1000, 2),
      delivered: deliveredInWindow,
      deliveredPerS: ratePerSecond(deliveredInWindow, elapsedMs),
      failed: log.failed,
      failures: Object.fromEntries(log.failures),
      latency: summarize(log.latenciesMs),
      cpuCores: reading.cores,
      cpuSeconds: reading.seconds,
    };
  }

  async close(): Promise<void> {
    this.current = undefined;
    await this.target.closePairs();
  }
}

/** Lets the previous phase's garbage and closing sockets settle before a system's first load. */
export function settle(): Promise<void> {
  return sleep(SETTLE_MS);
}

/** Runs relay loads on `target`: a fixed rate for latency, rising rates to the highest sustained one, and a closed-loop ceiling. */
export async function measureRelay(target: RelayTarget, options: RelayLoadOptions, progress: (line: string) => void): Promise<RelayResult> {
  const run = await RelayRun.open(target, options.pairs);
  try {
    // Let the previous phase's garbage and closing sockets settle, then warm up (JIT, buffers).
    await settle();
    await run.openLoopStep(options.latencyRate, 1_000);
    const atLatencyRate = await run.openLoopStep(options.latencyRate, options.latencyDurationMs);
    progress(`${target.label}: ${options.latencyRate}/s p50 ${atLatencyRate.latency.p50Ms} ms p99 ${atLatencyRate.latency.p99Ms} ms`);
    const steps: RateStep[] = [atLatencyRate];
    // Rising rates until one is not sustained twice in a row: a single miss on a shared machine
    // can be a neighbour's burst, so an unsustained step is tried once more before giving up.
    for (const rate of [options.latencyRate, ...options.stepRates]) {
      let step = rate === options.latencyRate ? atLatencyRate : undefined;
      for (let attempt = 0; attempt < 2 && !step?.sustainable; attempt++) {
        if (performance.now() > options.deadline) break;
        if (step) await sleep(1_000); // let the backlog of the unsustained try clear
        step = await run.openLoopStep(rate, options.stepDurationMs);
        progress(`${target.label}: ${rate}/s → ${step.deliveredPerS}/s delivered, p99 ${step.latency.p99Ms} ms, ${step.verdict}`);
        steps.push(step);
      }
      if (!step?.sustainable) break;
    }
    const highestSustainable = steps.filter((s) => s.sustainable).at(-1) ?? null;

    let ceiling: CeilingResult | null = null;
    if (performance.now() < options.deadline) {
      ceiling = await run.closedLoopCeiling(options.ceilingDurationMs, options.ceilingWindow);
      progress(`${target.label}: ceiling ${ceiling.deliveredPerS}/s (p50 ${ceiling.latency.p50Ms} ms, p99 ${ceiling.latency.p99Ms} ms)`);
    }
    return { system: target.system, label: target.label, pairs: run.pairs.length, atLatencyRate, steps, highestSustainable, ceiling };
  } finally {
    await run.close();
  }
}
