import { z } from 'zod';
import { env } from './config.js';

/** One node of a Redis Cluster, as ioredis' Cluster takes its seeds. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** Where a service's Redis is: one server by URL, or a Redis Cluster by its seed nodes. */
export type RedisTarget = { kind: 'single'; url: string } | { kind: 'cluster'; nodes: RedisNodeAddress[] };

const HOST_PORT = /^(?<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(?<port>\d{1,5})$/;

/** "host:port,host:port" (IPv6 in brackets): some nodes of a Redis Cluster; ioredis finds the rest. */
export function redisClusterNodes() {
  return z.string().transform((value, context): RedisNodeAddress[] => {
    const nodes: RedisNodeAddress[] = [];
    for (const entry of value.split(',').map((item) => item.trim()).filter(Boolean)) {
      const { host, port: portText } = HOST_PORT.exec(entry)?.groups ?? {};
      const port = Number(portText);
      if (!host || port < 1 || port > 65535) {
        context.addIssue({ code: 'custom', message: `"${entry}" is not host:port (a comma-separated list of cluster nodes)` });
        return z.NEVER;
      }
      nodes.push({ host: host.replace(/^\[|\]$/g, ''), port });
    }
    if (nodes.length === 0) {
      context.addIssue({ code: 'custom', message: 'must list at least one host:port' });
      return z.NEVER;
    }
    return nodes;
  });
}

/** The two ways to name a service's Redis; exactly one must be set (see requireOneRedisTarget). */
export const redisTargetEnv = {
  REDIS_URL: env.url(['redis', 'rediss']).optional(),
  REDIS_CLUSTER_NODES: redisClusterNodes().optional(),
};

interface RedisTargetConfig {
  REDIS_URL?: string | undefined;
  REDIS_CLUSTER_NODES?: RedisNodeAddress[] | undefined;
}

/**
 * Options for the superRefine that runs requireOneRedisTarget: run it even when other variables
 * failed, so a missing Redis is named in the same error as every other bad variable.
 */
export const alongsideOtherProblems = { when: () => true };

/** For a config schema's superRefine (with alongsideOtherProblems): one Redis, named once. */
export function requireOneRedisTarget(config: RedisTargetConfig, context: z.RefinementCtx): void {
  if (config.REDIS_URL && config.REDIS_CLUSTER_NODES) {
    context.addIssue({ code: 'custom', path: ['REDIS_CLUSTER_NODES'], message: 'set either REDIS_URL or REDIS_CLUSTER_NODES, not both' });
  } else if (!config.REDIS_URL && !config.REDIS_CLUSTER_NODES) {
    context.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'is required but not set (or set REDIS_CLUSTER_NODES for a Redis Cluster)' });
  }
}

export function redisTargetOf(config: RedisTargetConfig): RedisTarget {
  if (config.REDIS_CLUSTER_NODES) return { kind: 'cluster', nodes: config.REDIS_CLUSTER_NODES };
  if (config.REDIS_URL) return { kind: 'single', url: config.REDIS_URL };
  throw new Error('no Redis configured: the config schema should have refused this');
}
