import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyServerOptions } from 'fastify';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { buildApp, type RoomsApp } from '../../src/app.js';
import { loadRoomsConfig, type RoomsConfig } from '../../src/config.js';
import { SEAT_LEASE_MS, redisKeys } from '@meshcall/shared';

export const TEST_TURN_SECRET = 'test-turn-secret-0123456789';

export interface RoomsServer {
  app: RoomsApp;
  config: RoomsConfig;
  /** http://127.0.0.1:PORT */
  url: string;
  stop(): Promise<void>;
}

export interface RoomsServerOptions {
  /** Database name; suites use their own so they never see each other's rooms. */
  database: string;
  authJwksUrl: string;
  /** Several replicas of one deployment share the data folder (and so the ticket key). */
  dataDir?: string;
  env?: Record<string, string>;
  /** Fastify logger options; silent by default. */
  logger?: FastifyServerOptions['logger'];
  /** When the server counts as started; by default once /readyz reports every dependency ok. */
  readyWhen?: (checks: Record<string, 'ok' | 'down'>) => boolean;
}

const allOk = (checks: Record<string, 'ok' | 'down'>) => Object.values(checks).every((state) => state === 'ok');

export function databaseUrl(database: string): string {
  const url = new URL(inject('mongoUrl'));
  url.pathname = `/${database}`;
  return url.toString();
}

/** Builds the real app against the suite's MongoDB-wire server and Redis, listening on a free port. */
export async function startRoomsServer(options: RoomsServerOptions): Promise<RoomsServer> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rooms-data-'));
  const config = loadRoomsConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    MONGO_URL: databaseUrl(options.database),
    REDIS_URL: inject('redisUrl'),
    AUTH_JWKS_URL: options.authJwksUrl,
    TURN_SECRET: TEST_TURN_SECRET,
    // The suites advertise made-up hosts (turn.test) that a probe would try to resolve; the
    // health check has its own suites (src/turn/turn-server-pool.test.ts, tests/integration).
    TURN_HEALTH_CHECK: 'false',
    ...options.env,
  });
  const app = await buildApp(config, { logger: options.logger ?? false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  await waitUntilReady(app, options.readyWhen ?? allOk);
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await app.close();
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitUntilReady(app: RoomsApp, readyWhen: (checks: Record<string, 'ok' | 'down'>) => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    if (readyWhen(response.json().checks)) return;
    last = response.body;
    await sleep(100);
  }
  throw new Error(`rooms never became ready: ${last}`);
}

/** Seats taken the way signaling takes them: a sorted set of peer → lease expiry (ms). */
export async function takeSeats(redis: Redis, roomId: string, count: number, leaseEndsAt: number = Date.now() + SEAT_LEASE_MS): Promise<void> {
  for (let seat = 0; seat < count; seat++) {
    await redis.zadd(redisKeys.roomSeats(roomId), leaseEndsAt, `peer-${roomId}-${seat}-${leaseEndsAt}`);
  }
}

export function testRedis(): Redis {
  return new Redis(inject('redisUrl'));
}
