import { describe, expect, it } from 'vitest';
import { ownRoomKey } from '../src/redis/keys.js';
import { dataOf, disconnection, errorCodeOf, request } from './support/client.js';
import { closeAll, connectUser, dropConnection, seatUser } from './support/participant.js';
import { twoReplicasForSuite } from './support/replicas.js';
import { newRoomId } from './support/token-issuer.js';

const candidate = (i: number) => ({ candidate: `candidate:${i} 1 udp 2122260223 127.0.0.1 ${40000 + i} typ host`, sdpMid: '0', sdpMLineIndex: 0 });

describe('resuming a seat after a dropped connection (in-process replicas)', () => {
  // A short grace window and a small mailbox, so expiry and overflow are quick to reach.
  const cluster = twoReplicasForSuite('resume', { RESUME_GRACE_MS: '2000', SIGNAL_MAILBOX_LIMIT: '5' });

  it('gives the same seat back on the other replica and replays the missed signals once, in order', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    const back = await connectUser(cluster.two.url, cluster.issuer, alice.userId);
    try {
      dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(1) }));
      const seen = await alice.log.waitFor('signal');
      await dropConnection(alice, cluster.one);

      for (let i = 2; i <= 4; i += 1) dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(i) }));
      const resumed = dataOf(
        await request(back.socket, 'room:join', {
          resume: { roomId, peerId: alice.joined.peerId, resumeToken: alice.joined.resumeToken, lastSignalSeq: seen.seq },
        }),
      );
      expect(resumed).toMatchObject({ peerId: alice.joined.peerId, role: 'member', resync: false, room: { id: roomId } });
      expect(resumed.peers.map((p) => p.peerId)).toEqual([bob.joined.peerId]);

      await back.log.waitFor('signal', (s) => s.seq === 4);
      dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(5) }));
      await back.log.waitFor('signal', (s) => s.seq === 5);
      expect(back.log.of('signal').map((s) => [s.seq, s.candidate?.candidate])).toEqual([2, 3, 4, 5].map((i) => [i, candidate(i).candidate]));

      // The room never saw Alice leave, and she is reachable as before.
      expect(bob.log.of('peer:left')).toEqual([]);
      dataOf(await request(back.socket, 'signal', { to: bob.joined.peerId, candidate: candidate(9) }));
      expect((await bob.log.waitFor('signal')).from).toBe(alice.joined.peerId);
    } finally {
      closeAll(alice, bob, back);
    }
  });

  it('replays from where the old replica got to when the client does not say', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const back = await connectUser(cluster.two.url, cluster.issuer, alice.userId);
    try {
      dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(1) }));
      await alice.log.waitFor('signal');
      await dropConnection(alice, cluster.one);
      // The hand-off is asynchronous: wait until the old replica has recorded the drop.
      await expect.poll(() => cluster.redis.client.hget(ownRoomKey(roomId, 'routes'), alice.joined.peerId)).toBe('');
      dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(2) }));
      const resumed = dataOf(await request(back.socket, 'room:join', { resume: { roomId, peerId: alice.joined.peerId, resumeToken: alice.joined.resumeToken } }));
      expect(resumed.resync).toBe(false);
      expect((await back.log.waitFor('signal')).seq).toBe(2);
    } finally {
      closeAll(alice, bob, back);
    }
  });

  it('tells the client to resync when more was missed than the mailbox keeps', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    const back = await connectUser(cluster.two.url, cluster.issuer, alice.userId);
    try {
      await dropConnection(alice, cluster.one);
      for (let i = 1; i <= 7; i += 1) dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(i) }));
      const resumed = dataOf(
        await request(back.socket, 'room:join', { resume: { roomId, peerId: alice.joined.peerId, resumeToken: alice.joined.resumeToken, lastSignalSeq: 0 } }),
      );
      expect(resumed.resync).toBe(true);
      dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(8) }));
      await back.log.waitFor('signal', (s) => s.seq === 8);
      // Nothing stale is replayed after a resync; only what was sent after the resume.
      expect(back.log.of('signal').map((s) => s.seq)).toEqual([8]);
    } finally {
      closeAll(alice, bob, back);
    }
  });

  it('announces peer:left only once the grace window ends without a resume, and the seat is gone then', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    const late = await connectUser(cluster.two.url, cluster.issuer, alice.userId);
    try {
      await dropConnection(alice, cluster.one);
      expect(await bob.log.waitFor('peer:left', () => true, 10_000)).toEqual({ peerId: alice.joined.peerId, reason: 'disconnected' });
      const resume = await request(late.socket, 'room:join', { resume: { roomId, peerId: alice.joined.peerId, resumeToken: alice.joined.resumeToken } });
      expect(errorCodeOf(resume)).toBe('TICKET_INVALID');
      expect(errorCodeOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(1) }))).toBe('PEER_NOT_FOUND');
    } finally {
      closeAll(alice, bob, late);
    }
  });

  it('refuses a resume with a wrong token or by another user', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const thief = await connectUser(cluster.two.url, cluster.issuer);
    const aliceAgain = await connectUser(cluster.two.url, cluster.issuer, alice.userId);
    try {
      await dropConnection(alice, cluster.one);
      const stolen = await request(thief.socket, 'room:join', { resume: { roomId, peerId: alice.joined.peerId, resumeToken: alice.joined.resumeToken } });
      expect(errorCodeOf(stolen)).toBe('TICKET_INVALID');
      const guessed = await request(aliceAgain.socket, 'room:join', { resume: { roomId, peerId: alice.joined.peerId, resumeToken: 'x'.repeat(32) } });
      expect(errorCodeOf(guessed)).toBe('TICKET_INVALID');
      // The real owner of the seat still gets it.
      const resumed = await request(aliceAgain.socket, 'room:join', { resume: { roomId, peerId: alice.joined.peerId, resumeToken: alice.joined.resumeToken } });
      expect(resumed.ok).toBe(true);
    } finally {
      closeAll(alice, thief, aliceAgain);
    }
  });

  it('moves the seat to the new socket when the old connection still looks alive, and drops the old one', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    const newNetwork = await connectUser(cluster.two.url, cluster.issuer, alice.userId);
    try {
      const oldGone = disconnection(alice.socket);
      dataOf(await request(newNetwork.socket, 'room:join', { resume: { roomId, peerId: alice.joined.peerId, resumeToken: alice.joined.resumeToken, lastSignalSeq: 0 } }));
      expect(await oldGone).toBe('io server disconnect');
      dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, candidate: candidate(1) }));
      expect((await newNetwork.log.waitFor('signal')).seq).toBe(1);
      expect(alice.log.of('signal')).toEqual([]);
      expect(bob.log.of('peer:left')).toEqual([]);
    } finally {
      closeAll(alice, bob, newNetwork);
    }
  });
});
