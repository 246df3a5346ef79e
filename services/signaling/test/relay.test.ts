import { describe, expect, it } from 'vitest';
import { sendUnacknowledged } from '@meshcall/client';
import { signalingKeys } from '../src/redis/keys.js';
import { dataOf, errorCodeOf, request, requestRaw } from './support/client.js';
import { closeAll, connectUser, seatUser, type Seated } from './support/participant.js';
import { twoReplicasForSuite } from './support/replicas.js';
import { newRoomId } from './support/token-issuer.js';

const offer = { type: 'offer' as const, sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n' };
const answer = { type: 'answer' as const, sdp: 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\n' };
const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };

describe('signal relay across replicas', () => {
  const cluster = twoReplicasForSuite('relay');

  /** Alice (on aliceUrl) signals Bob (on bobUrl) while Redis is frozen: refused, nothing leaks, and the relay works after. */
  async function expectFailClosed(aliceUrl: string, bobUrl: string): Promise<void> {
    const roomId = newRoomId();
    const alice: Seated = await seatUser(aliceUrl, cluster.issuer, { roomId });
    const bob: Seated = await seatUser(bobUrl, cluster.issuer, { roomId });
    try {
      cluster.redis.component.signal('SIGSTOP');
      try {
        const attempt = await request(alice.socket, 'signal', { to: bob.joined.peerId, description: offer });
        expect(errorCodeOf(attempt)).toBe('UNAVAILABLE');
      } finally {
        cluster.redis.component.signal('SIGCONT');
      }
      // Nothing leaked through while Redis was frozen, and the relay works again afterwards.
      dataOf(await request(alice.socket, 'signal', { to: bob.joined.peerId, description: offer }));
      const received = await bob.log.waitFor('signal');
      expect(received.seq).toBe(1);
      expect(bob.log.of('signal')).toHaveLength(1);
    } finally {
      closeAll(alice, bob);
    }
  }

  it('relays offer, answer and candidates between peers on different replicas, to the named peer only', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    const carol = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      // Everyone learns who is there: the joiner from its ack, the others from peer:joined.
      expect(bob.joined.peers.map((p) => p.peerId)).toEqual([alice.joined.peerId]);
      expect(carol.joined.peers.map((p) => p.peerId).sort()).toEqual([alice.joined.peerId, bob.joined.peerId].sort());
      await alice.log.waitFor('peer:joined', (p) => p.peerId === carol.joined.peerId);

      dataOf(await request(alice.socket, 'signal', { to: bob.joined.peerId, description: offer }));
      dataOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, description: answer }));
      dataOf(await request(alice.socket, 'signal', { to: bob.joined.peerId, candidate }));

      const atBob = await bob.log.waitFor('signal', (s) => s.candidate !== undefined);
      expect(atBob).toMatchObject({ from: alice.joined.peerId, candidate });
      expect(bob.log.of('signal').map((s) => s.description?.type ?? 'candidate')).toEqual(['offer', 'candidate']);
      expect(bob.log.of('signal').map((s) => s.seq)).toEqual([1, 2]);
      expect(await alice.log.waitFor('signal')).toMatchObject({ from: bob.joined.peerId, description: answer, seq: 1 });

      // Carol shares the room and a replica with Bob, yet saw none of it.
      dataOf(await request(carol.socket, 'chat:send', { text: 'sync point' }));
      await bob.log.waitFor('chat:message');
      expect(carol.log.of('signal')).toEqual([]);
    } finally {
      closeAll(alice, bob, carol);
    }
  });

  it('relays a signal sent without an acknowledgement callback and answers nothing, not even a refusal', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bobHere = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bobThere = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    const acksAtAlice: unknown[] = [];
    // Socket.IO's manager hands over every decoded packet; type 3 is an acknowledgement.
    alice.socket.io.on('packet', (packet: { type: number }) => {
      if (packet.type === 3) acksAtAlice.push(packet);
    });
    try {
      sendUnacknowledged(alice.socket, 'signal', { to: bobHere.joined.peerId, description: offer });
      sendUnacknowledged(alice.socket, 'signal', { to: bobThere.joined.peerId, candidate });
      sendUnacknowledged(alice.socket, 'signal', { to: 'no-such-peer-0001', candidate });
      expect(await bobHere.log.waitFor('signal')).toMatchObject({ from: alice.joined.peerId, description: offer, seq: 1 });
      expect(await bobThere.log.waitFor('signal')).toMatchObject({ from: alice.joined.peerId, candidate, seq: 1 });

      // An acknowledged request after them is answered, and is the only answer Alice ever got.
      dataOf(await request(alice.socket, 'chat:send', { text: 'sync point' }));
      expect(acksAtAlice).toHaveLength(1);
      expect(alice.socket.connected).toBe(true);
    } finally {
      closeAll(alice, bobHere, bobThere);
    }
  });

  it('delivers a burst of candidates in the order they were sent, each once', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      const sent = Array.from({ length: 40 }, (_, i) => ({ ...candidate, candidate: `candidate:${i} 1 udp 2122260223 127.0.0.1 ${50000 + i} typ host` }));
      const acks = await Promise.all(sent.map((c) => request(alice.socket, 'signal', { to: bob.joined.peerId, candidate: c })));
      expect(acks.every((ack) => ack.ok)).toBe(true);
      await bob.log.waitFor('signal', (s) => s.seq === 40);
      expect(bob.log.of('signal').map((s) => s.candidate?.candidate)).toEqual(sent.map((c) => c.candidate));
      expect(bob.log.of('signal').map((s) => s.seq)).toEqual(sent.map((_, i) => i + 1));
    } finally {
      closeAll(alice, bob);
    }
  });

  it("delivers signals published while the recipient's replica was not subscribed, once and in order, when it is again", async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      // What a reconnecting subscriber looks like from Redis: nobody listens on replica two's channel
      // while the relay (on its own connection) keeps numbering, storing and publishing.
      await cluster.two.redis.subscriber.unsubscribe(signalingKeys.replicaChannel(cluster.two.config.REPLICA_ID));
      const during = [0, 1].map((i) => ({ ...candidate, candidate: `candidate:${i} 1 udp 2122260223 127.0.0.1 ${51000 + i} typ host` }));
      for (const c of during) expect((await request(alice.socket, 'signal', { to: bob.joined.peerId, candidate: c })).ok).toBe(true);
      expect(bob.log.of('signal')).toEqual([]);

      // ioredis says 'ready' again once it has reconnected.
      cluster.two.redis.subscriber.emit('ready');
      await bob.log.waitFor('signal', (s) => s.seq === 2);
      const after = { ...candidate, candidate: 'candidate:2 1 udp 2122260223 127.0.0.1 51002 typ host' };
      expect((await request(alice.socket, 'signal', { to: bob.joined.peerId, candidate: after })).ok).toBe(true);
      await bob.log.waitFor('signal', (s) => s.seq === 3);
      expect(bob.log.of('signal').map((s) => [s.seq, s.candidate?.candidate])).toEqual([...during, after].map((c, i) => [i + 1, c.candidate]));
    } finally {
      closeAll(alice, bob);
    }
  });

  it('never lets a peer of room A reach a peer of room B, even with its exact peer id', async () => {
    const mallory = await seatUser(cluster.one.url, cluster.issuer, { roomId: newRoomId() });
    const victimRoom = newRoomId();
    const victim = await seatUser(cluster.two.url, cluster.issuer, { roomId: victimRoom });
    const friend = await seatUser(cluster.one.url, cluster.issuer, { roomId: victimRoom });
    try {
      const guessed = await request(mallory.socket, 'signal', { to: victim.joined.peerId, description: offer });
      expect(errorCodeOf(guessed)).toBe('PEER_NOT_FOUND');
      const candidateTry = await request(mallory.socket, 'signal', { to: victim.joined.peerId, candidate });
      expect(errorCodeOf(candidateTry)).toBe('PEER_NOT_FOUND');

      // A legitimate signal to the victim arrives, and it is the only one the victim ever got.
      dataOf(await request(friend.socket, 'signal', { to: victim.joined.peerId, description: offer }));
      const received = await victim.log.waitFor('signal');
      expect(received.from).toBe(friend.joined.peerId);
      expect(victim.log.of('signal')).toHaveLength(1);
      expect(received.seq).toBe(1);
    } finally {
      closeAll(mallory, victim, friend);
    }
  });

  it('refuses signals from a socket without a seat and to peers that do not exist', async () => {
    const roomId = newRoomId();
    const seated = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const outsider = await connectUser(cluster.two.url, cluster.issuer);
    try {
      expect(errorCodeOf(await request(outsider.socket, 'signal', { to: seated.joined.peerId, description: offer }))).toBe('NOT_IN_ROOM');
      expect(errorCodeOf(await request(seated.socket, 'signal', { to: 'nobody-here-1234', description: offer }))).toBe('PEER_NOT_FOUND');
      expect(errorCodeOf(await request(seated.socket, 'signal', { to: seated.joined.peerId, description: offer }))).toBe('PEER_NOT_FOUND');
      // Both a description and a candidate in one signal is not a signal.
      expect(errorCodeOf(await requestRaw(seated.socket, 'signal', { to: seated.joined.peerId, description: offer, candidate }))).toBe('INVALID_PAYLOAD');
    } finally {
      closeAll(seated, outsider);
    }
  });

  it('fails closed when Redis cannot answer', async () => {
    await expectFailClosed(cluster.one.url, cluster.two.url);
  });

  it('relays between two peers on the same replica in the order sent, each once, and never to a guessed peer of another room there', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const mallory = await seatUser(cluster.one.url, cluster.issuer, { roomId: newRoomId() });
    try {
      const sent = Array.from({ length: 40 }, (_, i) => ({ ...candidate, candidate: `candidate:${i} 1 udp 2122260223 127.0.0.1 ${52000 + i} typ host` }));
      const acks = await Promise.all(sent.map((c) => request(alice.socket, 'signal', { to: bob.joined.peerId, candidate: c })));
      expect(acks.every((ack) => ack.ok)).toBe(true);
      await bob.log.waitFor('signal', (s) => s.seq === 40);
      expect(bob.log.of('signal').map((s) => [s.seq, s.from, s.candidate?.candidate])).toEqual(sent.map((c, i) => [i + 1, alice.joined.peerId, c.candidate]));

      expect(errorCodeOf(await request(mallory.socket, 'signal', { to: bob.joined.peerId, description: offer }))).toBe('PEER_NOT_FOUND');
      dataOf(await request(alice.socket, 'signal', { to: bob.joined.peerId, description: offer }));
      await bob.log.waitFor('signal', (s) => s.seq === 41);
      expect(bob.log.of('signal').every((s) => s.from === alice.joined.peerId)).toBe(true);
    } finally {
      closeAll(alice, bob, mallory);
    }
  });

  it('numbers signals from a peer on the same replica and one on another into one sequence, delivered in order and each once', async () => {
    const roomId = newRoomId();
    const bob = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const near = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const far = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      const burst = (from: Seated, tag: string) =>
        Array.from({ length: 30 }, (_, i) => request(from.socket, 'signal', { to: bob.joined.peerId, candidate: { ...candidate, candidate: `candidate:${tag}${i} 1 udp 1 127.0.0.1 ${53000 + i} typ host` } }));
      const acks = await Promise.all([...burst(near, 'n'), ...burst(far, 'f')]);
      expect(acks.every((ack) => ack.ok)).toBe(true);
      await bob.log.waitFor('signal', (s) => s.seq === 60);
      const received = bob.log.of('signal');
      expect(received.map((s) => s.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      for (const [from, tag] of [[near, 'n'], [far, 'f']] as const) {
        const own = received.filter((s) => s.from === from.joined.peerId).map((s) => s.candidate?.candidate.split(' ')[0]);
        expect(own).toEqual(Array.from({ length: 30 }, (_, i) => `candidate:${tag}${i}`));
      }
    } finally {
      closeAll(bob, near, far);
    }
  });

  it('fails closed between peers on the same replica when Redis cannot answer', async () => {
    await expectFailClosed(cluster.one.url, cluster.one.url);
  });
});
