import { describe, expect, it } from 'vitest';
import { ownRoomKey } from '../src/redis/keys.js';
import { dataOf, errorCodeOf, request } from './support/client.js';
import { closeAll, connectUser, seatUser, type Seated } from './support/participant.js';
import { twoReplicasForSuite, type InProcessReplica } from './support/replicas.js';
import { newRoomId } from './support/token-issuer.js';

const RESUME_GRACE_MS = 2000;

/** Drops the connection the way a network loss does (no room:leave) and waits until the server saw it go. */
async function dropConnection(peer: Seated, replica: InProcessReplica): Promise<void> {
  peer.socket.disconnect();
  await expect.poll(() => replica.io.of('/').sockets.has(peer.socket.id ?? '')).toBe(false);
}

/** The display name the others see for a peer. */
function nameOf(peer: Seated, seenBy: Seated): string {
  return seenBy.joined.peers.find((other) => other.peerId === peer.joined.peerId)?.name ?? '';
}

describe('moderation passes on when the host leaves (two replicas)', () => {
  // A short resume window, so a host who does not come back is let go quickly.
  const cluster = twoReplicasForSuite('handover', { RESUME_GRACE_MS: String(RESUME_GRACE_MS) });

  it('makes the longest-present peer (on the other replica) the host when the owner leaves; only the host moderates', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner' });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    const carol = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    try {
      for (const peer of [owner, bob, carol]) expect(peer.joined.host).toBe(owner.joined.peerId);
      expect(errorCodeOf(await request(bob.socket, 'room:lock', { locked: true }))).toBe('FORBIDDEN');

      dataOf(await request(owner.socket, 'room:leave', {}));
      const announced = { peerId: bob.joined.peerId, name: nameOf(bob, carol) };
      expect(await bob.log.waitFor('room:host')).toEqual(announced);
      expect(await carol.log.waitFor('room:host')).toEqual(announced);
      expect(await cluster.redis.client.get(ownRoomKey(roomId, 'host'))).toBe(bob.joined.peerId);

      // The new host has the owner's tools in the call; the others still do not.
      expect(errorCodeOf(await request(carol.socket, 'room:lock', { locked: true }))).toBe('FORBIDDEN');
      expect(dataOf(await request(bob.socket, 'room:lock', { locked: true }))).toEqual({ locked: true });
      dataOf(await request(bob.socket, 'room:kick', { peerId: carol.joined.peerId }));
      expect(await carol.log.waitFor('room:kicked')).toEqual({ reason: 'kicked' });
      // Exactly one announcement of the handover reached each of them.
      expect(bob.log.of('room:host')).toHaveLength(1);
    } finally {
      closeAll(owner, bob, carol);
    }
  });

  it('keeps the host through a reconnect inside the resume window, passes it on when they do not come back, and gives it back to the owner', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner' });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    const back = await connectUser(cluster.two.url, cluster.issuer, owner.userId);
    let returned: Seated | undefined;
    try {
      await dropConnection(owner, cluster.one);
      const resumed = dataOf(
        await request(back.socket, 'room:join', { resume: { roomId, peerId: owner.joined.peerId, resumeToken: owner.joined.resumeToken } }),
      );
      expect(resumed.host).toBe(owner.joined.peerId);
      // Longer than the window the owner was away: nothing was handed over.
      await new Promise((resolve) => setTimeout(resolve, RESUME_GRACE_MS + 1500));
      expect(bob.log.of('room:host')).toEqual([]);
      expect(await cluster.redis.client.get(ownRoomKey(roomId, 'host'))).toBe(owner.joined.peerId);

      // This time the owner does not come back: once the seat is swept, Bob hosts.
      back.socket.disconnect();
      expect(await bob.log.waitFor('room:host', () => true, RESUME_GRACE_MS + 10_000)).toMatchObject({ peerId: bob.joined.peerId });
      expect(await bob.log.waitFor('peer:left')).toEqual({ peerId: owner.joined.peerId, reason: 'disconnected' });

      // The owner comes back with a fresh ticket and takes moderation back, as in Meet or Jitsi.
      returned = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner', userId: owner.userId });
      expect(returned.joined.host).toBe(returned.joined.peerId);
      expect(await bob.log.waitFor('room:host', (host) => host.peerId === returned?.joined.peerId)).toMatchObject({ peerId: returned.joined.peerId });
      expect(errorCodeOf(await request(bob.socket, 'room:lock', { locked: true }))).toBe('FORBIDDEN');
    } finally {
      closeAll(owner, bob, back, returned);
    }
  });

  it('picks exactly one host when the owner and the next in line leave at once from different replicas', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner', capacity: 6 });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 6 });
    const carol = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 6 });
    const dave = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 6 });
    try {
      await Promise.all([request(owner.socket, 'room:leave', {}), request(bob.socket, 'room:leave', {})]);
      await expect.poll(() => dave.log.of('peer:left').length).toBe(2);
      // Whatever order the two scripts ran in, both remaining peers end up agreeing on Carol.
      await expect.poll(() => carol.log.of('room:host').at(-1)?.peerId).toBe(carol.joined.peerId);
      await expect.poll(() => dave.log.of('room:host').at(-1)?.peerId).toBe(carol.joined.peerId);
      expect(await cluster.redis.client.get(ownRoomKey(roomId, 'host'))).toBe(carol.joined.peerId);
      const [carolLock, daveLock] = await Promise.all([
        request(carol.socket, 'room:lock', { locked: true }),
        request(dave.socket, 'room:lock', { locked: true }),
      ]);
      expect(dataOf(carolLock)).toEqual({ locked: true });
      expect(errorCodeOf(daveLock)).toBe('FORBIDDEN');
    } finally {
      closeAll(owner, bob, carol, dave);
    }
  });

  it('moves the host with its account to a new tab, and leaves nobody hosting after the call ends', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner' });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    const carol = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    let bobAgain: Seated | undefined;
    let next: Seated | undefined;
    try {
      dataOf(await request(owner.socket, 'room:leave', {}));
      await carol.log.waitFor('room:host', (host) => host.peerId === bob.joined.peerId);
      // Bob opens the call in another tab: the new seat takes the old one's place, and hosts.
      bobAgain = await seatUser(cluster.one.url, cluster.issuer, { roomId, userId: bob.userId });
      expect(bobAgain.joined.host).toBe(bobAgain.joined.peerId);
      expect(await carol.log.waitFor('room:host', (host) => host.peerId === bobAgain?.joined.peerId)).toMatchObject({ peerId: bobAgain.joined.peerId });
      expect(carol.log.of('room:host').map((host) => host.peerId)).not.toContain(carol.joined.peerId);

      dataOf(await request(bobAgain.socket, 'room:end', {}));
      await carol.log.waitFor('room:ended');
      // The next call starts without a host until the owner comes.
      next = await seatUser(cluster.two.url, cluster.issuer, { roomId });
      expect(next.joined.host).toBeNull();
      expect(errorCodeOf(await request(next.socket, 'room:lock', { locked: true }))).toBe('FORBIDDEN');
    } finally {
      closeAll(owner, bob, carol, bobAgain, next);
    }
  });
});
