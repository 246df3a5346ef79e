import { describe, expect, it } from 'vitest';
import { redisKeys } from '@meshcall/shared';
import { dataOf, errorCodeOf, request } from './support/client.js';
import { closeAll, connectUser, seatUser, type Participant, type Seated } from './support/participant.js';
import { twoReplicasForSuite } from './support/replicas.js';
import { newRoomId } from './support/token-issuer.js';

const KNOCK_TIMEOUT_MS = 1500;

describe('knocking on a locked room (two replicas)', () => {
  const cluster = twoReplicasForSuite('knock', { KNOCK_TIMEOUT_MS: String(KNOCK_TIMEOUT_MS) });

  /** An owner seated on replica one, and a member on replica two, in a room the owner then locked. */
  async function lockedRoom(): Promise<{ roomId: string; owner: Seated; member: Seated }> {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner' });
    const member = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    dataOf(await request(owner.socket, 'room:lock', { locked: true }));
    return { roomId, owner, member };
  }

  /** Knocks from replica two with a ticket (what rooms hands out with `knock: true`). */
  async function knock(knocker: Participant, roomId: string) {
    return request(knocker.socket, 'room:knock', { ticket: await cluster.issuer.ticket({ userId: knocker.userId, roomId, name: 'Kim' }) });
  }

  it('shows the knock to the host on the other replica; an admission lets that account in once', async () => {
    const { roomId, owner, member } = await lockedRoom();
    const bystander = await seatUser(cluster.one.url, cluster.issuer, { roomId: newRoomId() });
    const knocker = await connectUser(cluster.two.url, cluster.issuer);
    try {
      expect(errorCodeOf(await request(knocker.socket, 'room:join', { ticket: await cluster.issuer.ticket({ userId: knocker.userId, roomId }) }))).toBe('ROOM_LOCKED');
      const { knockId } = dataOf(await knock(knocker, roomId));
      expect(await owner.log.waitFor('room:knock-request')).toEqual({ knockId, name: 'Kim' });
      // Only the host of that room answers it.
      expect(errorCodeOf(await request(bystander.socket, 'room:answer-knock', { knockId, admit: true }))).toBe('FORBIDDEN');
      expect(errorCodeOf(await knock(knocker, roomId))).toBe('CONFLICT');

      dataOf(await request(owner.socket, 'room:answer-knock', { knockId, admit: true }));
      expect(await knocker.log.waitFor('room:knock-result')).toEqual({ outcome: 'admitted' });
      expect(errorCodeOf(await request(owner.socket, 'room:answer-knock', { knockId, admit: true }))).toBe('KNOCK_NOT_FOUND');
      const joined = dataOf(await request(knocker.socket, 'room:join', { ticket: await cluster.issuer.ticket({ userId: knocker.userId, roomId }) }));
      expect(joined.room.locked).toBe(true);
      expect(await owner.log.waitFor('peer:joined', (peer) => peer.peerId === joined.peerId)).toMatchObject({ name: 'user ' + knocker.userId.slice(-4) });
      expect(await cluster.redis.client.exists(redisKeys.roomAdmitted(roomId, knocker.userId))).toBe(0);

      // Once: after leaving, the lock holds again for this account.
      dataOf(await request(knocker.socket, 'room:leave', {}));
      expect(errorCodeOf(await request(knocker.socket, 'room:join', { ticket: await cluster.issuer.ticket({ userId: knocker.userId, roomId }) }))).toBe('ROOM_LOCKED');
    } finally {
      closeAll(owner, member, bystander, knocker);
    }
  });

  it('tells a declined knocker only that, keeps them out, and makes them wait before asking again', async () => {
    const { roomId, owner, member } = await lockedRoom();
    const knocker = await connectUser(cluster.two.url, cluster.issuer);
    try {
      const { knockId } = dataOf(await knock(knocker, roomId));
      await owner.log.waitFor('room:knock-request');
      expect(member.log.of('room:knock-request')).toEqual([]);
      expect(errorCodeOf(await request(member.socket, 'room:answer-knock', { knockId, admit: true }))).toBe('FORBIDDEN');
      dataOf(await request(owner.socket, 'room:answer-knock', { knockId, admit: false }));
      expect(await knocker.log.waitFor('room:knock-result')).toEqual({ outcome: 'declined' });
      expect(errorCodeOf(await request(knocker.socket, 'room:join', { ticket: await cluster.issuer.ticket({ userId: knocker.userId, roomId }) }))).toBe('ROOM_LOCKED');
      expect(errorCodeOf(await knock(knocker, roomId))).toBe('RATE_LIMITED');
      expect(owner.log.of('room:knock-request')).toHaveLength(1);
    } finally {
      closeAll(owner, member, knocker);
    }
  });

  it('ends an unanswered knock after the timeout, and takes a cancelled or dropped one off the host’s screen', async () => {
    const { roomId, owner, member } = await lockedRoom();
    const patient = await connectUser(cluster.two.url, cluster.issuer);
    const hasty = await connectUser(cluster.one.url, cluster.issuer);
    try {
      const waited = dataOf(await knock(patient, roomId));
      expect(await patient.log.waitFor('room:knock-result', () => true, KNOCK_TIMEOUT_MS + 5000)).toEqual({ outcome: 'timeout' });
      expect(await owner.log.waitFor('room:knock-withdrawn')).toEqual({ knockId: waited.knockId });
      expect(errorCodeOf(await request(owner.socket, 'room:answer-knock', { knockId: waited.knockId, admit: true }))).toBe('KNOCK_NOT_FOUND');

      const cancelled = dataOf(await knock(hasty, roomId));
      dataOf(await request(hasty.socket, 'room:knock-cancel', {}));
      expect(await owner.log.waitFor('room:knock-withdrawn', (gone) => gone.knockId === cancelled.knockId)).toEqual({ knockId: cancelled.knockId });
      expect(errorCodeOf(await request(hasty.socket, 'room:knock-cancel', {}))).toBe('KNOCK_NOT_FOUND');
      expect(hasty.log.of('room:knock-result')).toEqual([]);

      // A knocker who closes the page (the socket drops) takes the knock back too.
      const leaver = await connectUser(cluster.two.url, cluster.issuer);
      const dropped = dataOf(await knock(leaver, roomId));
      leaver.socket.disconnect();
      expect(await owner.log.waitFor('room:knock-withdrawn', (gone) => gone.knockId === dropped.knockId)).toEqual({ knockId: dropped.knockId });
      expect(errorCodeOf(await request(owner.socket, 'room:answer-knock', { knockId: dropped.knockId, admit: true }))).toBe('KNOCK_NOT_FOUND');
    } finally {
      closeAll(owner, member, patient, hasty);
    }
  });

  it('does not get round a ban, and needs someone who hosts', async () => {
    const { roomId, owner, member: inside } = await lockedRoom();
    const banned = await connectUser(cluster.two.url, cluster.issuer);
    const orphanRoom = newRoomId();
    const member = await seatUser(cluster.one.url, cluster.issuer, { roomId: orphanRoom });
    const knocker = await connectUser(cluster.two.url, cluster.issuer);
    try {
      await cluster.redis.client.hset(redisKeys.roomExcluded(roomId), banned.userId, JSON.stringify({ name: 'Kim', at: Date.now(), reason: 'kicked' }));
      expect(errorCodeOf(await knock(banned, roomId))).toBe('BANNED');
      // Even an admission (say, granted just before the kick) does not seat a banned account.
      await cluster.redis.client.set(redisKeys.roomAdmitted(roomId, banned.userId), '1', 'PX', 60_000);
      expect(errorCodeOf(await request(banned.socket, 'room:join', { ticket: await cluster.issuer.ticket({ userId: banned.userId, roomId }) }))).toBe('BANNED');
      expect(owner.log.of('room:knock-request')).toEqual([]);

      // A locked room whose owner is not in the call: nobody can let anyone in.
      await cluster.redis.client.set(redisKeys.roomLocked(orphanRoom), '1');
      expect(errorCodeOf(await knock(knocker, orphanRoom))).toBe('NO_HOST');
      expect(member.log.of('room:knock-request')).toEqual([]);
    } finally {
      closeAll(owner, inside, banned, member, knocker);
    }
  });

  it('hands a waiting knock to the next host when the host leaves', async () => {
    const { roomId, owner, member: bob } = await lockedRoom();
    const knocker = await connectUser(cluster.one.url, cluster.issuer);
    try {
      const { knockId } = dataOf(await knock(knocker, roomId));
      await owner.log.waitFor('room:knock-request');
      dataOf(await request(owner.socket, 'room:leave', {}));
      expect(await bob.log.waitFor('room:knock-request')).toEqual({ knockId, name: 'Kim' });
      dataOf(await request(bob.socket, 'room:answer-knock', { knockId, admit: true }));
      expect(await knocker.log.waitFor('room:knock-result')).toEqual({ outcome: 'admitted' });
    } finally {
      closeAll(owner, bob, knocker);
    }
  });
});
