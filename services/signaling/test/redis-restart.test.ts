import { mkdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEAT_LEASE_MS, redisKeys } from '@meshcall/shared';
import { ownRoomKey } from '../src/repositories/keys.js';
import { dataOf, request } from './support/client.js';
import { closeAll, seatUser, type Seated } from './support/participant.js';
import { startTestRedis, type TestRedis } from './support/redis.js';
import { startReplica, type InProcessReplica } from './support/replicas.js';
import { TestTokenIssuer, newRoomId } from './support/token-issuer.js';

const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };

/** Signals until the relay answers again (replicas reconnect to Redis on their own, with back-off). */
async function signalWhenRedisIsBack(from: Seated, to: Seated): Promise<void> {
  await expect.poll(async () => (await request(from.socket, 'signal', { to: to.joined.peerId, description: offer })).ok, { timeout: 15_000, interval: 250 }).toBe(true);
}

describe('Redis restarted in the middle of a call', () => {
  let redis: TestRedis;
  let issuer: TestTokenIssuer;
  let one: InProcessReplica;
  let two: InProcessReplica;

  beforeAll(async () => {
    redis = await startTestRedis();
    issuer = await TestTokenIssuer.start();
    one = await startReplica({ redisUrl: redis.url, issuer, replicaId: 'restart-1' });
    two = await startReplica({ redisUrl: redis.url, issuer, replicaId: 'restart-2' });
  });

  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await issuer?.stop();
    await redis?.stop();
  });

  it('keeps the call going, and a peer that left during the outage does not stay behind as a ghost', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(one.url, issuer, { roomId, capacity: 3 });
    const bob = await seatUser(two.url, issuer, { roomId, capacity: 3 });
    const carol = await seatUser(one.url, issuer, { roomId, capacity: 3 });
    let dave: Seated | undefined;
    try {
      await redis.component.stop();
      carol.socket.close();
      await expect.poll(() => one.io.of('/').sockets.size).toBe(1);
      await redis.component.start();

      await signalWhenRedisIsBack(alice, bob);
      expect((await bob.log.waitFor('signal')).from).toBe(alice.joined.peerId);
      expect(await alice.log.waitFor('peer:left', (p) => p.peerId === carol.joined.peerId, SEAT_LEASE_MS + 10_000)).toEqual({
        peerId: carol.joined.peerId,
        reason: 'disconnected',
      });
      await bob.log.waitFor('peer:left', (p) => p.peerId === carol.joined.peerId);
      const seated = await redis.client.zrangebyscore(redisKeys.roomSeats(roomId), Date.now(), '+inf');
      expect(seated.sort()).toEqual([alice.joined.peerId, bob.joined.peerId].sort());
      // Carol's seat really is free: a newcomer fits into the room of three.
      dave = await seatUser(two.url, issuer, { roomId, capacity: 3 });
      expect(dave.joined.peers.map((p) => p.peerId).sort()).toEqual(seated.sort());
      expect([...alice.log.of('peer:left'), ...bob.log.of('peer:left')].map((p) => p.peerId)).toEqual([carol.joined.peerId, carol.joined.peerId]);
    } finally {
      closeAll(alice, bob, carol, dave);
    }
  });

  it('puts live seats back when Redis comes back without its data', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(one.url, issuer, { roomId });
    const bob = await seatUser(two.url, issuer, { roomId });
    try {
      dataOf(await request(alice.socket, 'chat:send', { text: 'before the outage' }));
      await redis.component.stop();
      rmSync(redis.dataDir, { recursive: true, force: true });
      mkdirSync(redis.dataDir);
      await redis.component.start();
      // Redis really lost everything (the chat line is not something replicas put back).
      expect(await redis.client.llen(ownRoomKey(roomId, 'chat'))).toBe(0);

      // Each replica re-asserts the seats of its live sockets and tells the room they are there.
      await bob.log.waitFor('peer:joined', (p) => p.peerId === alice.joined.peerId, 15_000);
      // Alice heard of Bob when he joined, and again when his seat came back.
      await expect.poll(() => alice.log.of('peer:joined').filter((p) => p.peerId === bob.joined.peerId).length, { timeout: 15_000 }).toBe(2);
      await signalWhenRedisIsBack(bob, alice);
      const seated = await redis.client.zrangebyscore(redisKeys.roomSeats(roomId), Date.now(), '+inf');
      expect(seated.sort()).toEqual([alice.joined.peerId, bob.joined.peerId].sort());
      dataOf(await request(alice.socket, 'chat:send', { text: 'we are back' }));
      expect((await bob.log.waitFor('chat:message', (m) => m.text === 'we are back')).peerId).toBe(alice.joined.peerId);
      expect([...alice.log.of('peer:left'), ...bob.log.of('peer:left')]).toEqual([]);
    } finally {
      closeAll(alice, bob);
    }
  });
});
