import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalComponent } from '../component.js';
import { findFreePort } from '../ports.js';
import { waitUntil } from '../wait.js';
import { redisComponent } from './redis.js';

const run = promisify(execFile);

/** Three masters, each with one replica: the smallest cluster that survives losing a master. */
export const CLUSTER_MASTERS = 3;
export const REPLICAS_PER_MASTER = 1;
/**
 * How long a master may be unreachable before its replica takes over. Redis' default is 15 s;
 * on loopback 2 s is plenty to tell a dead node from a slow one, and it bounds the failover
 * window a client sees.
 */
export const CLUSTER_NODE_TIMEOUT_MS = 2_000;
const CLUSTER_READY_TIMEOUT_MS = 30_000;

export interface LocalRedisCluster {
  /** One piece per node, masters first as created (roles change after a failover). */
  nodes: LocalComponent[];
  /** `127.0.0.1:port,...`: the value of REDIS_CLUSTER_NODES. */
  seeds: string;
  ports: number[];
}

/** `CLUSTER INFO` of one node as key/value pairs. */
export async function clusterInfo(port: number): Promise<Record<string, string>> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'cluster', 'info'], { timeout: 5_000 });
  return Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => line.trim().split(':'))
      .filter((pair): pair is [string, string] => pair.length === 2),
  );
}

/** Every reachable node sees all slots served and every node of the cluster. */
export async function clusterHealthy(ports: number[], expectedNodes = ports.length): Promise<boolean> {
  const infos = await Promise.all(ports.map((port) => clusterInfo(port).catch(() => undefined)));
  const reachable = infos.filter((info): info is Record<string, string> => info !== undefined);
  return (
    reachable.length > 0 &&
    reachable.every((info) => info.cluster_state === 'ok' && info.cluster_slots_ok === '16384' && Number(info.cluster_known_nodes) >= expectedNodes)
  );
}

/** Every master has its replicas connected, and every replica's link to its master is up. */
export async function replicasInSync(ports: number[]): Promise<boolean> {
  const replication = await Promise.all(
    ports.map(async (port) => (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'info', 'replication'], { timeout: 5_000 })).stdout),
  );
  return replication.every((info) =>
    info.includes('role:master') ? info.includes(`connected_slaves:${REPLICAS_PER_MASTER}`) : /master_link_status:up/.test(info) && /master_sync_in_progress:0/.test(info),
  );
}

/**
 * Starts a real Redis Cluster of Debian's redis-server on loopback: six nodes (3 masters, 3
 * replicas), each a supervised piece with its own port, data folder and log, joined with
 * `redis-cli --cluster create`. Live state only, as the single Redis: the cluster is made anew on
 * each start, in a fresh folder under `dataDir`.
 */
export async function startRedisCluster(options: { dataDir: string; logDir: string; onStarting?: (name: string) => void }): Promise<LocalRedisCluster> {
  const count = CLUSTER_MASTERS * (1 + REPLICAS_PER_MASTER);
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await findFreePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const nodes = ports.map((port) => {
    const dataDir = join(options.dataDir, String(port));
    mkdirSync(dataDir, { recursive: true });
    return redisComponent({
      port,
      dataDir,
      logDir: options.logDir,
      name: `redis-${port}`,
      extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS)],
    });
  });
  const started: LocalComponent[] = [];
  try {
    for (const node of nodes) options.onStarting?.(node.name);
    await Promise.all(
      nodes.map(async (node) => {
        await node.start();
        started.push(node);
      }),
    );
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(REPLICAS_PER_MASTER), '--cluster-yes'], {
      timeout: CLUSTER_READY_TIMEOUT_MS,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`redis cluster: redis-cli --cluster create failed: ${(error.stderr || error.stdout || error.message).trim().split('\n').slice(-3).join(' ')}`);
    });
    await waitUntil('redis cluster', () => clusterHealthy(ports), { timeoutMs: CLUSTER_READY_TIMEOUT_MS, intervalMs: 250 });
    // Every replica has finished its first sync: until then a master's replica could not take over.
    await waitUntil('redis cluster replicas', () => replicasInSync(ports), { timeoutMs: CLUSTER_READY_TIMEOUT_MS, intervalMs: 250 });
    return { nodes, seeds: addresses.join(','), ports };
  } catch (error) {
    await Promise.all(started.map((node) => node.stop()));
    throw error;
  }
}

/** The port of the live master serving `key`'s hash slot, as the cluster's nodes see it now. */
export async function masterPortOf(ports: number[], key: string): Promise<number> {
  for (const port of ports) {
    try {
      const slot = Number((await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'cluster', 'keyslot', key], { timeout: 5_000 })).stdout.trim());
      const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'cluster', 'nodes'], { timeout: 5_000 });
      for (const line of stdout.trim().split('\n')) {
        const [, address, flags, , , , , , ...slots] = line.split(' ');
        if (!address || !flags?.split(',').includes('master') || flags.includes('fail')) continue;
        const serves = slots.some((range) => {
          const [from, to = from] = range.split('-').map(Number);
          return from !== undefined && to !== undefined && slot >= from && slot <= to;
        });
        if (serves) return Number(address.split('@')[0]?.split(':')[1]);
      }
    } catch {
      // That node is down: ask the next one.
    }
  }
  throw new Error(`redis cluster: no live master serves the slot of ${key}`);
}
