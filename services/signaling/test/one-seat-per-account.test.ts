import { describe, expect, it } from 'vitest';
import { redisKeys } from '@meshcall/shared';
import { dataOf, errorCodeOf, request } from './support/client.js';
import { closeAll, connectUser, seatUser } from './support/participant.js';
import { twoReplicasForSuite } from './support/replicas.js';
import { newRoomId } from './support/token-issuer.js';

const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };

describe('one seat per account in a room', () => {
  const cluster = twoReplicasForSuite('one-seat');

  it('moves the seat to a second tab on another replica: the first hears joined-elsewhere, the room one departure', async () => {
    const roomId = newRoomId();
    const witness = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const firstTab = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const secondTab = await connectUser(cluster.two.url, cluster.issuer, firstTab.userId);
    try {
      const joined = dataOf(await request(secondTab.socket, 'room:join', { ticket: await cluster.issuer.ticket({ userId: firstTab.userId, roomId }) }));
      expect(joined.peers.map((peer) => peer.peerId)).toEqual([witness.joined.peerId]);

      expect(await firstTab.log.waitFor('room:joined-elsewhere')).toEqual({});
      expect(await witness.log.waitFor('peer:left')).toEqual({ peerId: firstTab.joined.peerId, reason: 'replaced' });
      expect(await witness.log.waitFor('peer:joined', (peer) => peer.peerId === joined.peerId)).toMatchObject({ peerId: joined.peerId, userId: firstTab.userId });
      expect(await cluster.redis.client.zcard(redisKeys.roomSeats(roomId))).toBe(2);
      // The first tab is out of the room; the second one is the account's seat.
      expect(errorCodeOf(await request(firstTab.socket, 'signal', { to: witness.joined.peerId, description: offer }))).toBe('NOT_IN_ROOM');
      expect((await request(secondTab.socket, 'signal', { to: witness.joined.peerId, description: offer })).ok).toBe(true);
    } finally {
      closeAll(witness, firstTab, secondTab);
    }
  });

  it('takes over a seat held for resume after a reload instead of taking a second one, even in a full room', async () => {
    const roomId = newRoomId();
    const witness = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 2 });
    const beforeReload = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 2 });
    try {
      beforeReload.socket.close();
      // The old seat is held for resume: still counted, and the others have not been told.
      await expect.poll(() => cluster.redis.client.hget(`meshcall:room:{${roomId}}:sig:routes`, beforeReload.joined.peerId)).toBe('');
      expect(await cluster.redis.client.zcard(redisKeys.roomSeats(roomId))).toBe(2);

      const afterReload = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 2, userId: beforeReload.userId });
      try {
        expect(await witness.log.waitFor('peer:left')).toEqual({ peerId: beforeReload.joined.peerId, reason: 'replaced' });
        expect(await cluster.redis.client.zrange(redisKeys.roomSeats(roomId), 0, -1)).toEqual(
          expect.arrayContaining([witness.joined.peerId, afterReload.joined.peerId]),
        );
        expect(await cluster.redis.client.zcard(redisKeys.roomSeats(roomId))).toBe(2);
        // The held seat cannot be resumed any more: it was taken over, not left behind.
        const stale = await connectUser(cluster.two.url, cluster.issuer, beforeReload.userId);
        const resume = { roomId, peerId: beforeReload.joined.peerId, resumeToken: beforeReload.joined.resumeToken };
        expect(errorCodeOf(await request(stale.socket, 'room:join', { resume }))).toBe('TICKET_INVALID');
        closeAll(stale);
      } finally {
        closeAll(afterReload);
      }
    } finally {
      closeAll(witness, beforeReload);
    }
  });

  it('lets a member back into their own seat in a room locked meanwhile', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner' });
    const member = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      dataOf(await request(owner.socket, 'room:lock', { locked: true }));
      const otherDevice = await seatUser(cluster.one.url, cluster.issuer, { roomId, userId: member.userId });
      expect(otherDevice.joined.room.locked).toBe(true);
      expect(await member.log.waitFor('room:joined-elsewhere')).toEqual({});
      closeAll(otherDevice);
    } finally {
      closeAll(owner, member);
    }
  });
});
