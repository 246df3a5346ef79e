import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IdleTarget, SystemName } from '../load/relay-target.js';
import { percentile, ratePerSecond, round } from '../stats.js';

export interface IdleMemoryPoint {
  connections: number;
  /** New connections of this step per second of handshakes (at most `concurrency` at once). */
  connectionsPerS: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** (RSS now − RSS with no connections) / connections. */
  rssPerConnectionKiB: number;
  heapPerConnectionKiB: number;
}

export interface IdleMemoryResult {
  system: SystemName;
  label: string;
  concurrency: number;
  baseline: { rssBytes: number; heapUsedBytes: number };
  points: IdleMemoryPoint[];
  /**
   * Growth from the first level to the last ÷ the connections added: the cost of one more idle
   * connection, free of the server's fixed start-up memory and of garbage that was or was not
   * collected when the zero-connection baseline was read. The headline figure.
   */
  marginal: { fromConnections: number; toConnections: number; rssKiBPerConnection: number; heapKiBPerConnection: number } | null;
  /** Every connection of the run over the time all handshakes took. */
  connectionsPerS: number;
  /** Set when a level could not be reached in time or connections failed. */
  incomplete?: string;
}

/** Memory moves with garbage collection: the median of a few readings after the load settled. */
async function settledMemory(target: IdleTarget, settleMs: number): Promise<{ rssBytes: number; heapUsedBytes: number }> {
  await sleep(settleMs);
  const readings = [];
  for (let i = 0; i < 3; i++) {
    readings.push(await target.memory());
    await sleep(500);
  }
  const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
  return { rssBytes: median(readings.map((r) => r.rssBytes)), heapUsedBytes: median(readings.map((r) => r.heapUsedBytes)) };
}

/** Opens idle connections up to each level in turn and reads the server's memory at each. */
export async function measureIdleMemory(
  target: IdleTarget,
  options: { levels: number[]; concurrency: number; settleMs: number; deadline: number },
  progress: (line: string) => void,
): Promise<IdleMemoryResult> {
  const baseline = await settledMemory(target, options.settleMs);
  const points: IdleMemoryPoint[] = [];
  let open = 0;
  let handshakeMs = 0;
  let incomplete: string | undefined;
  try {
    for (const level of options.levels) {
      if (performance.now() > options.deadline) {
        incomplete = `stopped before ${level} connections: out of time`;
        break;
      }
      const start = performance.now();
      await target.open(level - open, options.concurrency, options.deadline);
      const elapsed = performance.now() - start;
      handshakeMs += elapsed;
      const added = level - open;
      open = level;
      const memory = await settledMemory(target, options.settleMs);
      const point = {
        connections: level,
        connectionsPerS: ratePerSecond(added, elapsed),
        rssBytes: memory.rssBytes,
        heapUsedBytes: memory.heapUsedBytes,
        rssPerConnectionKiB: round((memory.rssBytes - baseline.rssBytes) / level / 1024, 2),
        heapPerConnectionKiB: round((memory.heapUsedBytes - baseline.heapUsedBytes) / level / 1024, 2),
      };
      points.push(point);
      progress(`${target.label}: ${level} idle connections, ${point.rssPerConnectionKiB} KiB RSS and ${point.heapPerConnectionKiB} KiB heap each, ${point.connectionsPerS} connections/s`);
    }
  } catch (error) {
    incomplete = `stopped after ${open} connections: ${(error as Error).message}`;
  } finally {
    await target.closeAll();
  }
  const first = points[0];
  const last = points.at(-1);
  const marginal =
    first && last && last.connections > first.connections
      ? {
          fromConnections: first.connections,
          toConnections: last.connections,
          rssKiBPerConnection: round((last.rssBytes - first.rssBytes) / (last.connections - first.connections) / 1024, 2),
          heapKiBPerConnection: round((last.heapUsedBytes - first.heapUsedBytes) / (last.connections - first.connections) / 1024, 2),
        }
      : null;
  const result: IdleMemoryResult = {
    system: target.system,
    label: target.label,
    concurrency: options.concurrency,
    baseline,
    points,
    marginal,
    connectionsPerS: ratePerSecond(open, handshakeMs),
  };
  if (incomplete) result.incomplete = incomplete;
  return result;
}
