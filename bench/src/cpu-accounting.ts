import { MACHINE_TOTAL } from './process-memory.js';
import { ratio, round } from './stats.js';

/** The load generator's own process in CPU readings: reported, never counted as the system's cost. */
export const LOAD_GENERATOR = 'load-generator';

/**
 * CPU microseconds per relayed message of each process: CPU seconds over the measured window ÷
 * messages carried in it. The machine total is kept (its share of other work shows a noisy
 * reading). NaN when nothing was carried, so a failed load never looks free.
 */
export function microsecondsPerMessage(cpuSeconds: Record<string, number>, messages: number): Record<string, number> {
  const perMessage: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(cpuSeconds)) {
    perMessage[name] = messages > 0 && Number.isFinite(seconds) ? round((Math.max(0, seconds) * 1e6) / messages, 2) : Number.NaN;
  }
  return perMessage;
}

/**
 * The system's own cost per message: every server process summed (replicas, Redis, the gateway
 * or the peer's nginx, the peer server), leaving out the load generator and the machine total.
 */
export function serverMicrosecondsPerMessage(perMessage: Record<string, number>): number {
  const servers = Object.entries(perMessage).filter(([name]) => name !== LOAD_GENERATOR && name !== MACHINE_TOTAL);
  if (servers.length === 0) return Number.NaN;
  return round(
    servers.reduce((sum, [, us]) => sum + us, 0),
    2,
  );
}

/** Messages per second one sender socket sends when `ratePerSecond` is spread evenly over `pairs` senders. */
export function perSocketRate(ratePerSecond: number, pairs: number): number {
  if (pairs <= 0) return Number.POSITIVE_INFINITY;
  return ratePerSecond / pairs;
}

/**
 * Fewest pairs that carry `ratePerSecond` without any sender exceeding `limitPerSecond` (a
 * token bucket's refill rate): real clients stay under signaling's per-socket limit, so the
 * bench does too.
 */
export function pairsWithinRateLimit(ratePerSecond: number, limitPerSecond: number): number {
  if (limitPerSecond <= 0) throw new Error('per-socket limit must be positive');
  return Math.ceil(ratePerSecond / limitPerSecond);
}

/** The figures of one system on one path that the ratios compare. */
export interface ComparableFigures {
  p50Ms: number;
  p99Ms: number;
  /** Delivered rate at the high open-loop step. */
  highStepDeliveredPerS: number;
  highStepP99Ms: number;
  ceilingPerS: number;
  /** CPU µs per message summed over the system's server processes, at the ceiling. */
  serverMicrosecondsPerMessage: number;
}

/** meshcall ÷ peer for each figure (below 1 is better for latency and CPU, above 1 for rates). */
export type FigureRatios = { [K in keyof ComparableFigures]: number };

export function figureRatios(meshcall: ComparableFigures, peer: ComparableFigures): FigureRatios {
  return {
    p50Ms: ratio(meshcall.p50Ms, peer.p50Ms),
    p99Ms: ratio(meshcall.p99Ms, peer.p99Ms),
    highStepDeliveredPerS: ratio(meshcall.highStepDeliveredPerS, peer.highStepDeliveredPerS),
    highStepP99Ms: ratio(meshcall.highStepP99Ms, peer.highStepP99Ms),
    ceilingPerS: ratio(meshcall.ceilingPerS, peer.ceilingPerS),
    serverMicrosecondsPerMessage: ratio(meshcall.serverMicrosecondsPerMessage, peer.serverMicrosecondsPerMessage),
  };
}

/** What a process does for the system: the relay itself, its Redis, or the nginx in front. */
export type ProcessRole = 'relay' | 'redis' | 'nginx';

/** The role of a process by its reading name; undefined for the load generator and the machine total. */
export function roleOf(name: string): ProcessRole | undefined {
  if (name === LOAD_GENERATOR || name === MACHINE_TOTAL) return undefined;
  if (name === 'redis') return 'redis';
  if (name === 'gateway' || name.endsWith('-nginx')) return 'nginx';
  return 'relay';
}

/** µs per message summed by role (both replicas are one "relay"); a role without a process is 0. */
export function microsecondsByRole(perMessage: Record<string, number>): Record<ProcessRole, number> {
  const byRole: Record<ProcessRole, number> = { relay: 0, redis: 0, nginx: 0 };
  for (const [name, us] of Object.entries(perMessage)) {
    const role = roleOf(name);
    if (role) byRole[role] = round(byRole[role] + us, 2);
  }
  return byRole;
}
