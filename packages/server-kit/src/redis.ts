import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import type { RedisTarget } from '@meshcall/shared';

/** A connection to one Redis server or to a Redis Cluster: the services use either the same way. */
export type RedisClient = Redis | Cluster;

export interface RedisClientOptions extends RedisOptions {
  /**
   * Cluster only: one subscriber connection per shard, which sharded pub/sub (SSUBSCRIBE, the
   * Socket.IO sharded adapter) needs; classic SUBSCRIBE is served by any one node.
   */
  shardedSubscribers?: boolean;
}

/** Waits this long between attempts while a failed-over slot has no master yet. */
const CLUSTER_FAILOVER_RETRY_MS = 200;

/**
 * Connects to `target` with the same options either way: per-connection options (timeouts,
 * offline queue, retries, connection name) apply to every node of a cluster. On a cluster, reads
 * go to masters (what a script just wrote is what the next read sees), and a command that meets
 * a failover (CLUSTERDOWN, TRYAGAIN, a moved slot) is retried while the cluster promotes a replica.
 */
export function createRedisClient(target: RedisTarget, options: RedisClientOptions = {}): RedisClient {
  const { shardedSubscribers, ...redisOptions } = options;
  if (target.kind === 'single') return new Redis(target.url, redisOptions);
  const { retryStrategy, enableOfflineQueue, ...nodeOptions } = redisOptions;
  const clusterOptions: ClusterOptions = {
    redisOptions: nodeOptions,
    scaleReads: 'master',
    shardedSubscribers: shardedSubscribers ?? false,
    retryDelayOnFailover: CLUSTER_FAILOVER_RETRY_MS,
    retryDelayOnClusterDown: CLUSTER_FAILOVER_RETRY_MS,
    retryDelayOnTryAgain: CLUSTER_FAILOVER_RETRY_MS,
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    // The ready check (CLUSTER INFO) goes to a node connection the client may have just opened
    // (the nodes' announced names replace the seeds); without an offline queue it is refused
    // as "Connection is closed" and the client closes for good. Seen under compose, where the
    // nodes announce host names. Commands still fail fast, and CLUSTERDOWN is retried.
    ...(enableOfflineQueue === false ? { enableReadyCheck: false } : {}),
    ...(retryStrategy ? { clusterRetryStrategy: (attempt: number) => retryStrategy(attempt) } : {}),
  };
  return new Cluster(target.nodes, clusterOptions);
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** Resolves once `client` is ready to take commands. */
export function redisReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

/** Where a connection goes, for logs and readiness details, without credentials. */
export function describeRedisTarget(target: RedisTarget): string {
  if (target.kind === 'cluster') return `Redis Cluster (${target.nodes.map((node) => `${node.host}:${node.port}`).join(', ')})`;
  const url = new URL(target.url);
  return `Redis at ${url.host}`;
}

/**
 * Every key matching `pattern`, a batch at a time. SCAN walks one server's keyspace: on a cluster
 * it walks each master in turn, so no key is missed wherever its slot lives.
 */
export async function* scanKeys(client: RedisClient, pattern: string, count = 1000): AsyncGenerator<string[]> {
  const servers = isCluster(client) ? client.nodes('master') : [client];
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/**
 * The connection a cluster client uses for the master of `key`'s slot, as it knows the cluster
 * now; undefined while it does not know one, or that connection is not up.
 */
export function masterConnectionOf(cluster: Cluster, key: string): Redis | undefined {
  const nodeKey = cluster.slots[calculateSlot(key)]?.[0];
  const node = cluster.nodes('master').find((candidate) => `${candidate.options.host}:${candidate.options.port}` === nodeKey);
  return node?.status === 'ready' ? node : undefined;
}

/** The Redis Cluster hash slot of `key` (0-16383), honouring a {hash tag}. */
export function slotOf(key: string): number {
  return calculateSlot(key);
}
