import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEAT_LEASE_MS, redisKeys } from '@meshcall/shared';
import { dataOf, disconnection, request } from './support/client.js';
import { closeAll, connectUser, seatUser, type Participant, type Seated } from './support/participant.js';
import { startTestRedis, type TestRedis } from './support/redis.js';
import { startReplicaProcess, type ProcessReplica } from './support/replicas.js';
import { TestTokenIssuer, newRoomId } from './support/token-issuer.js';

const candidate = (i: number) => ({ candidate: `candidate:${i} 1 udp 2122260223 127.0.0.1 ${30000 + i} typ host`, sdpMid: '0', sdpMLineIndex: 0 });

/** Resumes `peer`'s seat on a new connection, telling the server the last signal it saw. */
async function resumeOn(url: string, issuer: TestTokenIssuer, peer: Seated, roomId: string): Promise<Participant & { resync: boolean; peerId: string }> {
  const back = await connectUser(url, issuer, peer.userId);
  const lastSignalSeq = Math.max(0, ...peer.log.of('signal').map((s) => s.seq ?? 0));
  const resumed = dataOf(
    await request(back.socket, 'room:join', { resume: { roomId, peerId: peer.joined.peerId, resumeToken: peer.joined.resumeToken, lastSignalSeq } }),
  );
  return { ...back, resync: resumed.resync, peerId: resumed.peerId };
}

/** A stream of signals fast enough to be cut mid-flight by the kill, without the per-socket limit refusing most of it. */
const streamingLimits = { SOCKET_RATE_LIMIT_PER_SECOND: '100000', SOCKET_RATE_LIMIT_BURST: '100000' };

describe('replicas as real processes: crash and graceful restart', () => {
  let redis: TestRedis;
  let issuer: TestTokenIssuer;
  let first: ProcessReplica;
  let second: ProcessReplica;

  beforeAll(async () => {
    redis = await startTestRedis();
    issuer = await TestTokenIssuer.start();
    [first, second] = await Promise.all([
      startReplicaProcess({ redisUrl: redis.url, issuer, replicaId: 'crash-1', env: streamingLimits }),
      startReplicaProcess({ redisUrl: redis.url, issuer, replicaId: 'crash-2', env: streamingLimits }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([first?.component.stop(), second?.component.stop()]);
    await issuer?.stop();
    await redis?.stop();
  });

  it("resumes a SIGKILLed replica's peers on the other one with their seats and exactly the signals they missed; the one that never returns is announced gone within the lease", async () => {
    const roomId = newRoomId();
    const alice = await seatUser(first.url, issuer, { roomId });
    const carol = await seatUser(first.url, issuer, { roomId });
    const bob = await seatUser(second.url, issuer, { roomId });
    let aliceBack: Participant | undefined;
    try {
      for (const i of [1, 2]) dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(i) }));
      await alice.log.waitFor('signal', (s) => s.seq === 2);

      const aliceDropped = disconnection(alice.socket);
      first.component.signal('SIGKILL');
      await aliceDropped;
      // Bob keeps negotiating while Alice is away; her seat is still leased, so the relay accepts.
      for (const i of [3, 4, 5, 6]) dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(i) }));

      const back = await resumeOn(second.url, issuer, alice, roomId);
      aliceBack = back;
      expect(back.peerId).toBe(alice.joined.peerId);
      expect(back.resync).toBe(false);
      await back.log.waitFor('signal', (s) => s.seq === 6);
      dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(7) }));
      await back.log.waitFor('signal', (s) => s.seq === 7);
      expect(back.log.of('signal').map((s) => [s.seq, s.candidate?.candidate])).toEqual([3, 4, 5, 6, 7].map((i) => [i, candidate(i).candidate]));

      // Carol never comes back: her seat lapses with the lease and the room is told.
      const carolLeft = await bob.log.waitFor('peer:left', (p) => p.peerId === carol.joined.peerId, SEAT_LEASE_MS + 10_000);
      expect(carolLeft.reason).toBe('disconnected');
      expect(bob.log.of('peer:left').map((p) => p.peerId)).toEqual([carol.joined.peerId]);
      const seated = await redis.client.zrangebyscore(redisKeys.roomSeats(roomId), Date.now(), '+inf');
      expect(seated.sort()).toEqual([alice.joined.peerId, bob.joined.peerId].sort());
    } finally {
      closeAll(alice, carol, bob, aliceBack);
      await first.component.start();
    }
  });

  it('SIGKILLed while two of its peers stream signals to each other: after the resume every acknowledged signal is there, once and in order', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(first.url, issuer, { roomId });
    const dave = await seatUser(first.url, issuer, { roomId });
    let aliceBack: Participant | undefined;
    try {
      const acknowledged: number[] = [];
      const aliceDropped = disconnection(alice.socket);
      let sent = 0;
      // Bounded: at most 2,000 signals, sent in bursts until the replica is gone.
      while (sent < 2_000 && dave.socket.connected) {
        for (let k = 0; k < 10; k += 1, sent += 1) {
          const i = sent;
          request(dave.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(i) }).then(
            (ack) => ack.ok && acknowledged.push(i),
            () => undefined,
          );
        }
        if (sent === 200) first.component.signal('SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await aliceDropped;
      expect(acknowledged.length).toBeGreaterThan(0);

      const back = await resumeOn(second.url, issuer, alice, roomId);
      aliceBack = back;
      expect(back.resync).toBe(false);
      const before = alice.log.of('signal');
      const lastSeq = Math.max(0, ...before.map((s) => s.seq ?? 0));
      const highest = Math.max(...acknowledged);
      const wanted = candidate(highest).candidate;
      if (!before.some((s) => s.candidate?.candidate === wanted)) await back.log.waitFor('signal', (s) => s.candidate?.candidate === wanted);
      const received = [...before, ...back.log.of('signal')];
      // Numbered 1..n with no gap and no repeat, in the order they were sent.
      expect(received.map((s) => s.seq)).toEqual(received.map((_, n) => n + 1));
      expect(back.log.of('signal')[0]?.seq ?? lastSeq + 1).toBe(lastSeq + 1);
      const order = received.map((s) => Number(/^candidate:(\d+) /.exec(s.candidate?.candidate ?? '')?.[1]));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(new Set(order).size).toBe(order.length);
      for (const i of acknowledged) expect(order).toContain(i);
    } finally {
      closeAll(alice, dave, aliceBack);
      await first.component.start();
    }
  });

  it('on a graceful stop hands its peers over: they resume elsewhere and nobody is told they left', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(second.url, issuer, { roomId });
    const bob = await seatUser(first.url, issuer, { roomId });
    let aliceBack: Participant | undefined;
    try {
      const dropped = disconnection(alice.socket);
      await second.component.stop();
      await dropped;
      dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(1) }));
      const back = await resumeOn(first.url, issuer, alice, roomId);
      aliceBack = back;
      expect(back.resync).toBe(false);
      expect((await back.log.waitFor('signal')).seq).toBe(1);
      expect(bob.log.of('peer:left')).toEqual([]);
    } finally {
      closeAll(alice, bob, aliceBack);
      await second.component.start();
    }
  });
});
