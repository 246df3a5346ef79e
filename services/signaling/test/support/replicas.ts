import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import pino from 'pino';
import { redisTargetOf } from '@meshcall/shared';
import { LocalComponent, findFreePort, httpOk } from '@meshcall/stack';
import { createApplication, tokenVerifiers, type SignalingApplication } from '../../src/app.js';
import { loadSignalingConfig, type Config } from '../../src/config.js';
import { createRedisConnections, type RedisConnections } from '../../src/redis/connections.js';
import { TestTokenIssuer } from './token-issuer.js';
import { startTestRedis, type TestRedis } from './redis.js';

export const TEST_ORIGIN = 'http://127.0.0.1:8080';

export interface ReplicaOptions {
  redisUrl: string;
  issuer: TestTokenIssuer;
  replicaId: string;
  /** Extra environment, e.g. smaller rate limits or mailbox. */
  env?: Record<string, string>;
}

function environment(options: ReplicaOptions, port: number): Record<string, string> {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ALLOWED_ORIGINS: `${TEST_ORIGIN},http://localhost:8080`,
    REDIS_URL: options.redisUrl,
    AUTH_JWKS_URL: options.issuer.authJwksUrl,
    ROOMS_JWKS_URL: options.issuer.roomsJwksUrl,
    REPLICA_ID: options.replicaId,
    ...options.env,
  };
}

/** A replica built in this process with createApplication, listening on a free loopback port. */
export interface InProcessReplica extends SignalingApplication {
  url: string;
  config: Config;
  redis: RedisConnections;
  close(): Promise<void>;
}

export async function startReplica(options: ReplicaOptions): Promise<InProcessReplica> {
  const config = loadSignalingConfig(environment(options, 0));
  const redis = createRedisConnections(redisTargetOf(config), pino({ level: 'silent' }));
  await redis.ready();
  const application = await createApplication(config, { redis, ...tokenVerifiers(config, redis), logger: false });
  await application.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = application.app.server.address() as AddressInfo;
  return {
    ...application,
    url: `http://127.0.0.1:${port}`,
    config,
    redis,
    async close() {
      await application.app.close();
      await redis.quit();
    },
  };
}

const serverEntry = join(dirname(fileURLToPath(import.meta.url)), '../../dist/server.js');

/** A replica as a real child process of the built server (`node dist/server.js`), for crash tests. */
export interface ProcessReplica {
  url: string;
  component: LocalComponent;
  logFile: string;
}

export async function startReplicaProcess(options: ReplicaOptions): Promise<ProcessReplica> {
  if (!existsSync(serverEntry)) throw new Error(`${serverEntry} is missing: run \`npm run build -w services/signaling\` first`);
  const port = await findFreePort();
  const logDir = mkdtempSync(join(tmpdir(), `meshcall-${options.replicaId}-`));
  const component = new LocalComponent({
    name: options.replicaId,
    processOptions: () => ({
      name: options.replicaId,
      command: process.execPath,
      args: ['--enable-source-maps', serverEntry],
      env: { PATH: process.env.PATH ?? '', ...environment(options, port) },
      logFile: join(logDir, `${options.replicaId}.log`),
      stopTimeoutMs: 12_000,
    }),
    isReady: () => httpOk(`http://127.0.0.1:${port}/readyz`),
    readyTimeoutMs: 30_000,
  });
  await component.start();
  return { url: `http://127.0.0.1:${port}`, component, logFile: component.logFile };
}

/** Redis, the stand-in token issuer and two in-process replicas: the setup most suites share. */
export interface TwoReplicas {
  redis: TestRedis;
  issuer: TestTokenIssuer;
  one: InProcessReplica;
  two: InProcessReplica;
  /** Replicas first, then the issuer, then Redis, so no replica logs a lost dependency. */
  stop(): Promise<void>;
}

/** Starts the shared setup; replicas are named `<name>-1` and `<name>-2`. */
async function startTwoReplicas(name: string, env?: Record<string, string>): Promise<TwoReplicas> {
  const redis = await startTestRedis();
  const issuer = await TestTokenIssuer.start();
  const one = await startReplica({ redisUrl: redis.url, issuer, replicaId: `${name}-1`, env });
  const two = await startReplica({ redisUrl: redis.url, issuer, replicaId: `${name}-2`, env });
  return {
    redis,
    issuer,
    one,
    two,
    async stop() {
      await Promise.all([one.close(), two.close()]);
      await issuer.stop();
      await redis.stop();
    },
  };
}

/**
 * The shared setup for the enclosing describe: started in a beforeAll and stopped in an afterAll this registers.
 * The fields are getters, as the cluster only exists once the suite has started; reach them from tests and later hooks.
 */
export function twoReplicasForSuite(name: string, env?: Record<string, string>): Readonly<Omit<TwoReplicas, 'stop'>> {
  let cluster: TwoReplicas | undefined;
  beforeAll(async () => {
    cluster = await startTwoReplicas(name, env);
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  const started = (): TwoReplicas => {
    if (!cluster) throw new Error(`the '${name}' replicas have not started yet: reach them from a test or a hook registered after twoReplicasForSuite, not while the suite is collected`);
    return cluster;
  };
  return {
    get redis() {
      return started().redis;
    },
    get issuer() {
      return started().issuer;
    },
    get one() {
      return started().one;
    },
    get two() {
      return started().two;
    },
  };
}
