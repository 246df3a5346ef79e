import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findFreePort, redisComponent, type LocalComponent } from '@meshcall/stack';

export interface TestRedis {
  url: string;
  /** The real redis-server process; fault tests stop and start it. */
  component: LocalComponent;
  /** A plain client for assertions on the data layout. */
  client: Redis;
  /** Where redis-server keeps its append-only file; emptied to simulate a restart that lost the data. */
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * A real redis-server for one test file, through the launcher's own Redis component (signaling
 * needs no MongoDB, so the full startBackingServices() would only add a FerretDB to wait for).
 */
export async function startTestRedis(): Promise<TestRedis> {
  const root = mkdtempSync(join(tmpdir(), 'meshcall-signaling-'));
  const dataDir = join(root, 'redis');
  mkdirSync(dataDir, { recursive: true });
  const port = await findFreePort();
  const component = redisComponent({ port, dataDir, logDir: join(root, 'logs') });
  await component.start();
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
  client.on('error', () => undefined);
  return {
    url,
    component,
    client,
    dataDir,
    async stop() {
      client.disconnect();
      await component.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
