import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startBackingServices, waitUntil, type BackingServices } from '@meshcall/stack';
import { connectMongo } from './mongo.js';
import { isDependencyUnavailable } from './dependency-errors.js';

let backing: BackingServices;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  backing = await startBackingServices({ env: {} });
});
afterAll(() => backing.stop());

describe('connectMongo', () => {
  it('keeps retrying until a late database comes up, and reports readiness truthfully', async () => {
    await backing.mongo?.stop();
    const handle = connectMongo(backing.mongoUrl, logger);
    try {
      expect(await handle.isReady()).toBe(false);
      await backing.mongo?.start();
      await handle.connected;
      expect(await handle.isReady()).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('fails fast while the database is down instead of buffering, then recovers', async () => {
    const handle = connectMongo(backing.mongoUrl, logger);
    await handle.connected;
    const things = handle.connection.collection('things');
    await things.insertOne({ n: 1 });
    await backing.mongo?.stop();
    // A driver outage error (answered as 503), not mongoose's "buffering timed out" after 10 s.
    const failure = await things.findOne({ n: 1 }).then(() => undefined, (error: unknown) => error);
    expect(isDependencyUnavailable(failure), `${(failure as Error | undefined)?.name}: ${String(failure)}`).toBe(true);
    expect(await handle.isReady().catch(() => false)).toBe(false);
    await backing.mongo?.start();
    await waitUntil('mongo back', () => handle.isReady().catch(() => false), { timeoutMs: 30_000, intervalMs: 250 });
    expect(await things.findOne({ n: 1 })).toMatchObject({ n: 1 });
    await handle.close();
  });
});
