import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownRoomKey } from '../src/redis/keys.js';
import { DepartureLog } from '../src/seats/departure-log.js';
import { startTestRedis, type TestRedis } from './support/redis.js';
import { newRoomId } from './support/token-issuer.js';

describe('the departure log a catch-up reads', () => {
  let redis: TestRedis;
  let log: DepartureLog;

  beforeAll(async () => {
    redis = await startTestRedis();
    log = new DepartureLog(redis.client);
  });

  afterAll(async () => {
    await redis?.stop();
  });

  it('keeps the last 32 departures of a room, oldest first, for a minute', async () => {
    const roomId = newRoomId();
    for (let i = 0; i < 40; i += 1) await log.record(roomId, [{ peerId: `peer-${String(i).padStart(4, '0')}`, reason: i % 2 ? 'left' : 'disconnected' }]);
    const kept = await log.recent(roomId);
    expect(kept).toHaveLength(32);
    expect(kept[0]).toEqual({ peerId: 'peer-0008', reason: 'disconnected' });
    expect(kept[31]).toEqual({ peerId: 'peer-0039', reason: 'left' });
    const ttl = await redis.client.pttl(ownRoomKey(roomId, 'departures'));
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await log.recent(newRoomId())).toEqual([]);
  });

  it('skips a damaged entry and still reads the rest', async () => {
    const roomId = newRoomId();
    await log.record(roomId, [{ peerId: 'peer-aaaa', reason: 'kicked' }]);
    await redis.client.rpush(ownRoomKey(roomId, 'departures'), '{not json', JSON.stringify({ peerId: '../x', reason: 'left' }));
    await log.record(roomId, [
      { peerId: 'peer-bbbb', reason: 'replaced' },
      { peerId: 'peer-cccc', reason: 'left' },
    ]);
    expect(await log.recent(roomId)).toEqual([
      { peerId: 'peer-aaaa', reason: 'kicked' },
      { peerId: 'peer-bbbb', reason: 'replaced' },
      { peerId: 'peer-cccc', reason: 'left' },
    ]);
  });
});
