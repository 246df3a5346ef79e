import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalComponent } from './component.js';
import { mongoUrl, mongoWireComponent } from './components/mongo.js';
import { redisComponent } from './components/redis.js';
import { startRedisCluster, type LocalRedisCluster } from './components/redis-cluster.js';
import { findFreePort } from './ports.js';

export interface BackingServices {
  mongoUrl: string;
  /** The single Redis's URL; empty when the services use a cluster (see `redisEnv`). */
  redisUrl: string;
  /** What the services are given to find Redis: REDIS_URL, or REDIS_CLUSTER_NODES for a cluster. */
  redisEnv: { REDIS_URL: string } | { REDIS_CLUSTER_NODES: string };
  /** Absent when the dependency was given by URL (MONGO_URL / REDIS_URL / REDIS_CLUSTER_NODES). */
  mongo: LocalComponent | undefined;
  redis: LocalComponent | undefined;
  /** The local Redis Cluster started with `redisCluster`. */
  redisCluster: LocalRedisCluster | undefined;
  /** Folder holding data and logs; removed by stop() when it was created here. */
  root: string;
  stop(): Promise<void>;
}

export interface BackingServicesOptions {
  /** Where data and logs go; a fresh temporary folder when omitted (and removed on stop). */
  root?: string;
  env?: NodeJS.ProcessEnv;
  /** Told the name of each server before it starts (the launcher prints progress lines). */
  onStarting?: (name: string) => void;
  /**
   * Start a six-node Redis Cluster (3 masters, 3 replicas) instead of one redis-server. Ignored
   * when REDIS_CLUSTER_NODES or REDIS_URL names a Redis to use.
   */
  redisCluster?: boolean;
}

/**
 * Starts the stateful dependencies only (MongoDB-wire server and Redis), for service test suites
 * that build their app in-process. Uses the same components as the full launcher.
 */
export async function startBackingServices(options: BackingServicesOptions = {}): Promise<BackingServices> {
  const env = options.env ?? process.env;
  const ownsRoot = options.root === undefined;
  const root = options.root ?? mkdtempSync(join(tmpdir(), 'meshcall-'));
  const logDir = join(root, 'logs');
  mkdirSync(logDir, { recursive: true });
  const started: LocalComponent[] = [];
  try {
    let mongo: LocalComponent | undefined;
    let resolvedMongoUrl = env.MONGO_URL;
    if (!resolvedMongoUrl) {
      const port = await findFreePort();
      mongo = mongoWireComponent({ port, dataDir: join(root, 'mongo'), logDir });
      options.onStarting?.(mongo.name);
      await mongo.start();
      started.push(mongo);
      resolvedMongoUrl = mongoUrl(port);
    }
    let redis: LocalComponent | undefined;
    let redisCluster: LocalRedisCluster | undefined;
    let resolvedRedisUrl = env.REDIS_URL ?? '';
    let redisEnv: BackingServices['redisEnv'] = { REDIS_URL: resolvedRedisUrl };
    if (env.REDIS_CLUSTER_NODES) {
      redisEnv = { REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES };
    } else if (!resolvedRedisUrl && options.redisCluster) {
      const dataDir = join(root, 'redis-cluster');
      rmSync(dataDir, { recursive: true, force: true });
      redisCluster = await startRedisCluster({ dataDir, logDir, onStarting: options.onStarting });
      started.push(...redisCluster.nodes);
      redisEnv = { REDIS_CLUSTER_NODES: redisCluster.seeds };
    } else if (!resolvedRedisUrl) {
      const port = await findFreePort();
      const dataDir = join(root, 'redis');
      mkdirSync(dataDir, { recursive: true });
      redis = redisComponent({ port, dataDir, logDir });
      options.onStarting?.(redis.name);
      await redis.start();
      started.push(redis);
      resolvedRedisUrl = `redis://127.0.0.1:${port}`;
      redisEnv = { REDIS_URL: resolvedRedisUrl };
    }
    return {
      mongoUrl: resolvedMongoUrl,
      redisUrl: resolvedRedisUrl,
      redisEnv,
      mongo,
      redis,
      redisCluster,
      root,
      async stop() {
        await Promise.all(started.map((component) => component.stop()));
        if (ownsRoot) rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(started.map((component) => component.stop()));
    throw error;
  }
}
