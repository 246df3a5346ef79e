import { mkdirSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SEAT_LEASE_MS, redisKeys } from '@meshcall/shared';
import { LEASE_RENEW_INTERVAL_MS } from '../src/seats/lease-keeper.js';
import { ownRoomKey } from '../src/redis/keys.js';
import { dataOf, request } from './support/client.js';
import { closeAll, connectUser, seatUser, type Participant, type Seated } from './support/participant.js';
import { twoReplicasForSuite } from './support/replicas.js';
import { newRoomId } from './support/token-issuer.js';

const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };

/** Signals until the relay answers again (replicas reconnect to Redis on their own, with back-off). */
async function signalWhenRedisIsBack(from: Seated, to: Seated): Promise<void> {
  await expect.poll(async () => (await request(from.socket, 'signal', { to: to.joined.peerId, description: offer })).ok, { timeout: 15_000, interval: 250 }).toBe(true);
}

describe('Redis restarted in the middle of a call', () => {
  const cluster = twoReplicasForSuite('restart');

  it('keeps the call going, and a peer that left during the outage does not stay behind as a ghost', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 3 });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 3 });
    const carol = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 3 });
    let dave: Seated | undefined;
    try {
      await cluster.redis.component.stop();
      carol.socket.close();
      await expect.poll(() => cluster.one.io.of('/').sockets.size).toBe(1);
      await cluster.redis.component.start();

      await signalWhenRedisIsBack(alice, bob);
      expect((await bob.log.waitFor('signal')).from).toBe(alice.joined.peerId);
      expect(await alice.log.waitFor('peer:left', (p) => p.peerId === carol.joined.peerId, SEAT_LEASE_MS + 10_000)).toEqual({
        peerId: carol.joined.peerId,
        reason: 'disconnected',
      });
      await bob.log.waitFor('peer:left', (p) => p.peerId === carol.joined.peerId);
      const seated = await cluster.redis.client.zrangebyscore(redisKeys.roomSeats(roomId), Date.now(), '+inf');
      expect(seated.sort()).toEqual([alice.joined.peerId, bob.joined.peerId].sort());
      // Carol's seat really is free: a newcomer fits into the room of three.
      dave = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 3 });
      expect(dave.joined.peers.map((p) => p.peerId).sort()).toEqual(seated.sort());
      expect([...alice.log.of('peer:left'), ...bob.log.of('peer:left')].map((p) => p.peerId)).toEqual([carol.joined.peerId, carol.joined.peerId]);
    } finally {
      closeAll(alice, bob, carol, dave);
    }
  });

  /** Stops Redis, deletes its data, starts it again on the same port: a restart without persistence. */
  async function restartRedisWithoutData(): Promise<void> {
    await cluster.redis.component.stop();
    rmSync(cluster.redis.dataDir, { recursive: true, force: true });
    mkdirSync(cluster.redis.dataDir);
    await cluster.redis.component.start();
  }

  /** Drops the peer's connection and waits until its replica has marked the seat away (held for a resume). */
  async function dropConnection(peer: Seated, roomId: string): Promise<void> {
    peer.socket.close();
    await expect.poll(() => cluster.redis.client.hget(ownRoomKey(roomId, 'routes'), peer.joined.peerId)).toBe('');
  }

  it('puts live seats back when Redis comes back without its data', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      dataOf(await request(alice.socket, 'chat:send', { text: 'before the outage' }));
      await restartRedisWithoutData();
      // Redis really lost everything (the chat line is not something replicas put back).
      expect(await cluster.redis.client.llen(ownRoomKey(roomId, 'chat'))).toBe(0);

      // Each replica re-asserts the seats of its live sockets and tells the room they are there.
      await bob.log.waitFor('peer:joined', (p) => p.peerId === alice.joined.peerId, 15_000);
      // Alice heard of Bob when he joined, and again once his seat came back: from his replica's
      // announcement, from her replica's catch-up after its subscription came back, or both.
      await expect.poll(() => alice.log.of('peer:joined').filter((p) => p.peerId === bob.joined.peerId).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
      await signalWhenRedisIsBack(bob, alice);
      const seated = await cluster.redis.client.zrangebyscore(redisKeys.roomSeats(roomId), Date.now(), '+inf');
      expect(seated.sort()).toEqual([alice.joined.peerId, bob.joined.peerId].sort());
      dataOf(await request(alice.socket, 'chat:send', { text: 'we are back' }));
      expect((await bob.log.waitFor('chat:message', (m) => m.text === 'we are back')).peerId).toBe(alice.joined.peerId);
      expect([...alice.log.of('peer:left'), ...bob.log.of('peer:left')]).toEqual([]);
    } finally {
      closeAll(alice, bob);
    }
  });

  it("catches a replica's sockets up on who is in the room once its broadcast subscription is back", async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 3 });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 3 });
    let dave: Seated | undefined;
    const { adapterSubscriber } = cluster.one.redis;
    try {
      // Replica one stops hearing the other replicas' room broadcasts, as while it reconnects to Redis.
      adapterSubscriber.disconnect();
      await expect.poll(() => adapterSubscriber.status).toBe('end');
      dave = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 3 });
      await bob.log.waitFor('peer:joined', (p) => p.peerId === dave?.joined.peerId);
      // Pub/sub kept nothing for replica one: without a catch-up Alice would never hear of Dave.
      expect(alice.log.of('peer:joined').map((p) => p.peerId)).toEqual([bob.joined.peerId]);

      await adapterSubscriber.connect();
      expect(await alice.log.waitFor('peer:joined', (p) => p.peerId === dave?.joined.peerId, 10_000)).toMatchObject({
        peerId: dave.joined.peerId,
        userId: dave.userId,
      });
      // And broadcasts reach her again.
      dataOf(await request(dave.socket, 'chat:send', { text: 'hello both' }));
      expect((await alice.log.waitFor('chat:message', (m) => m.text === 'hello both')).peerId).toBe(dave.joined.peerId);
    } finally {
      closeAll(alice, bob, dave);
    }
  });

  it("tells a replica's sockets who left the room while its broadcast subscription was away", async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 3 });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 3 });
    const erin = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 3 });
    const { adapterSubscriber } = cluster.one.redis;
    try {
      await alice.log.waitFor('peer:joined', (p) => p.peerId === erin.joined.peerId);
      adapterSubscriber.disconnect();
      await expect.poll(() => adapterSubscriber.status).toBe('end');
      dataOf(await request(erin.socket, 'room:leave', {}));
      expect(await bob.log.waitFor('peer:left', (p) => p.peerId === erin.joined.peerId)).toEqual({ peerId: erin.joined.peerId, reason: 'left' });
      // Without a catch-up Alice would keep Erin in her call for good.
      expect(alice.log.of('peer:left')).toEqual([]);

      await adapterSubscriber.connect();
      expect(await alice.log.waitFor('peer:left', (p) => p.peerId === erin.joined.peerId, 10_000)).toEqual({ peerId: erin.joined.peerId, reason: 'left' });
      // Only the one who left: Bob, still seated, is not said to have gone.
      expect(alice.log.of('peer:left').map((p) => p.peerId)).toEqual([erin.joined.peerId]);
    } finally {
      closeAll(alice, bob, erin);
    }
  });

  it('announces a peer that dropped just before Redis lost its data once its resume window ends', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 3 });
    const bob = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 3 });
    // Carol is the only one of the room on her replica: after she drops, it holds no live socket there.
    const carol = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 3 });
    let dave: Seated | undefined;
    try {
      dataOf(await request(alice.socket, 'chat:send', { text: 'before the outage' }));
      await dropConnection(carol, roomId);
      await restartRedisWithoutData();
      expect(await cluster.redis.client.llen(ownRoomKey(roomId, 'chat'))).toBe(0);

      await signalWhenRedisIsBack(alice, bob);
      for (const listener of [alice, bob]) {
        expect(await listener.log.waitFor('peer:left', (p) => p.peerId === carol.joined.peerId, cluster.two.config.RESUME_GRACE_MS + 15_000)).toEqual({
          peerId: carol.joined.peerId,
          reason: 'disconnected',
        });
      }
      const seated = await cluster.redis.client.zrangebyscore(redisKeys.roomSeats(roomId), Date.now(), '+inf');
      expect(seated.sort()).toEqual([alice.joined.peerId, bob.joined.peerId].sort());
      // Her seat is really free again: a newcomer fits into the room of three and sees only the two.
      dave = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 3 });
      expect(dave.joined.peers.map((p) => p.peerId).sort()).toEqual(seated.sort());
      expect([...alice.log.of('peer:left'), ...bob.log.of('peer:left')].map((p) => p.peerId)).toEqual([carol.joined.peerId, carol.joined.peerId]);
    } finally {
      closeAll(alice, bob, carol, dave);
    }
  });

  it('lets a peer that dropped just before Redis lost its data resume, renegotiating what was lost', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    let back: Participant | undefined;
    try {
      dataOf(await request(alice.socket, 'signal', { to: bob.joined.peerId, description: offer }));
      const lastSignalSeq = (await bob.log.waitFor('signal')).seq;
      await dropConnection(bob, roomId);
      // Kept for Bob's resume, then lost with the data: he must renegotiate, not miss it silently.
      dataOf(await request(alice.socket, 'signal', { to: bob.joined.peerId, description: offer }));
      await restartRedisWithoutData();

      // Bob's seat is back (held for him), so Alice can signal him again.
      await signalWhenRedisIsBack(alice, bob);
      back = await connectUser(cluster.two.url, cluster.issuer, bob.userId);
      const resumed = dataOf(
        await request(back.socket, 'room:join', { resume: { roomId, peerId: bob.joined.peerId, resumeToken: bob.joined.resumeToken, lastSignalSeq } }),
      );
      expect(resumed).toMatchObject({ peerId: bob.joined.peerId, resync: true });
      expect(resumed.peers.map((p) => p.peerId)).toEqual([alice.joined.peerId]);
      const renegotiation = { type: 'offer' as const, sdp: 'v=0\r\ns=renegotiate\r\n' };
      dataOf(await request(alice.socket, 'signal', { to: bob.joined.peerId, description: renegotiation }));
      expect((await back.log.waitFor('signal')).description).toEqual(renegotiation);
      expect(alice.log.of('peer:left')).toEqual([]);
    } finally {
      closeAll(alice, bob, back);
    }
  });

  it('announces a peer that dropped during an outage that outlasted its seat and lost the data', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 3 });
    const dave = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 3 });
    let erin: Seated | undefined;
    try {
      const leaseEnds = Number(await cluster.redis.client.zscore(redisKeys.roomSeats(roomId), dave.joined.peerId));
      await cluster.redis.component.stop();
      dave.socket.close();
      await expect.poll(() => cluster.two.io.of('/').sockets.size).toBe(0);
      // Redis stays away until Dave's seat would have lapsed (a renewal may have been in flight as it stopped).
      await sleep(Math.max(0, leaseEnds + LEASE_RENEW_INTERVAL_MS - Date.now()));
      rmSync(cluster.redis.dataDir, { recursive: true, force: true });
      mkdirSync(cluster.redis.dataDir);
      await cluster.redis.component.start();

      expect(await alice.log.waitFor('peer:left', (p) => p.peerId === dave.joined.peerId, 30_000)).toEqual({
        peerId: dave.joined.peerId,
        reason: 'disconnected',
      });
      erin = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 3 });
      expect(erin.joined.peers.map((p) => p.peerId)).toEqual([alice.joined.peerId]);
      expect(alice.log.of('peer:left').map((p) => p.peerId)).toEqual([dave.joined.peerId]);
    } finally {
      closeAll(alice, dave, erin);
    }
  });
});
