import { describe, expect, it } from 'vitest';
import { dataOf, errorCodeOf, request } from './support/client.js';
import { closeAll, connectUser, dropConnection, seatUser, type Seated } from './support/participant.js';
import { twoReplicasForSuite } from './support/replicas.js';
import { newRoomId } from './support/token-issuer.js';

describe('a display name for one call (room:join { ticket, name })', () => {
  const cluster = twoReplicasForSuite('call-name', { RESUME_GRACE_MS: '5000' });

  it('shows the call name to the room, to later joiners and in chat, and keeps it across a resume', async () => {
    const roomId = newRoomId();
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId, callName: '  Ada (work)  ' });
    const back = await connectUser(cluster.two.url, cluster.issuer, alice.userId);
    let carol: Seated | undefined;
    let dave: Seated | undefined;
    try {
      expect(await bob.log.waitFor('peer:joined')).toMatchObject({ peerId: alice.joined.peerId, name: 'Ada (work)' });
      expect(dataOf(await request(alice.socket, 'chat:send', { text: 'hello' }))).toMatchObject({ name: 'Ada (work)' });
      expect(await bob.log.waitFor('chat:message')).toMatchObject({ text: 'hello', name: 'Ada (work)' });

      carol = await seatUser(cluster.one.url, cluster.issuer, { roomId });
      expect(carol.joined.peers.find((p) => p.peerId === alice.joined.peerId)?.name).toBe('Ada (work)');
      expect(carol.joined.chat.map((m) => m.name)).toEqual(['Ada (work)']);

      await dropConnection(alice, cluster.one);
      const resumed = dataOf(
        await request(back.socket, 'room:join', { resume: { roomId, peerId: alice.joined.peerId, resumeToken: alice.joined.resumeToken } }),
      );
      expect(resumed.peerId).toBe(alice.joined.peerId);
      expect(dataOf(await request(back.socket, 'chat:send', { text: 'back' }))).toMatchObject({ name: 'Ada (work)' });
      expect(await bob.log.waitFor('chat:message', (m) => m.text === 'back')).toMatchObject({ name: 'Ada (work)' });

      dave = await seatUser(cluster.two.url, cluster.issuer, { roomId });
      expect(dave.joined.peers.find((p) => p.peerId === alice.joined.peerId)?.name).toBe('Ada (work)');
      expect(dave.joined.chat.map((m) => m.name)).toEqual(['Ada (work)', 'Ada (work)']);
    } finally {
      closeAll(alice, bob, back, carol, dave);
    }
  });

  it('uses the account name from the ticket when no call name is sent', async () => {
    const roomId = newRoomId();
    const bob = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const alice = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      expect(await bob.log.waitFor('peer:joined')).toMatchObject({ name: `user ${alice.userId.slice(-4)}` });
    } finally {
      closeAll(alice, bob);
    }
  });

  it('refuses a name that breaks the display name rules, without taking a seat', async () => {
    const roomId = newRoomId();
    const bob = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const alice = await connectUser(cluster.two.url, cluster.issuer);
    try {
      for (const name of ['   ', 'x'.repeat(61), 'two\nlines', 'escape\u001b[31m']) {
        const ticket = await cluster.issuer.ticket({ userId: alice.userId, roomId });
        expect(errorCodeOf(await request(alice.socket, 'room:join', { ticket, name })), JSON.stringify(name)).toBe('INVALID_PAYLOAD');
      }
      const carol = await seatUser(cluster.one.url, cluster.issuer, { roomId });
      expect(carol.joined.peers.map((p) => p.peerId)).toEqual([bob.joined.peerId]);
      expect(bob.log.of('peer:joined').map((p) => p.userId)).toEqual([carol.userId]);
      closeAll(carol);
    } finally {
      closeAll(alice, bob);
    }
  });
});
