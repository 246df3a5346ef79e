import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exclusionEntrySchema, redisChannels, redisKeys, roomEventMessageSchema, type RoomEventMessage } from '@meshcall/shared';
import { dataOf, errorCodeOf, request, requestRaw } from './support/client.js';
import { closeAll, connectUser, seatUser, type Seated } from './support/participant.js';
import { twoReplicasForSuite } from './support/replicas.js';
import { newRoomId } from './support/token-issuer.js';

const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };

describe('owner moderation and room events from the rooms service', () => {
  const cluster = twoReplicasForSuite('moderation');
  /** Stands in for the rooms service: it follows room events, and publishes its own. */
  let roomsListener: Redis;
  const roomEvents: RoomEventMessage[] = [];

  // Registered after the cluster's hooks, so the listener starts once Redis is up and disconnects before it stops.
  beforeAll(async () => {
    roomsListener = new Redis(cluster.redis.url);
    await roomsListener.subscribe(redisChannels.roomEvents);
    roomsListener.on('message', (_channel, raw: string) => roomEvents.push(roomEventMessageSchema.parse(JSON.parse(raw))));
  });

  afterAll(() => {
    roomsListener?.disconnect();
  });

  it('kicks a peer on another replica: it hears room:kicked, the others peer:left, and its seat is free', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner', capacity: 3 });
    const target = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 3 });
    const witness = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 3 });
    // A second ticket the target got before the kick and has not used yet.
    const spareTicket = await cluster.issuer.ticket({ userId: target.userId, roomId, capacity: 3 });
    try {
      expect(errorCodeOf(await request(witness.socket, 'room:kick', { peerId: target.joined.peerId }))).toBe('FORBIDDEN');
      expect(errorCodeOf(await request(owner.socket, 'room:kick', { peerId: owner.joined.peerId }))).toBe('FORBIDDEN');
      expect(errorCodeOf(await request(owner.socket, 'room:kick', { peerId: 'no-such-peer-1' }))).toBe('PEER_NOT_FOUND');

      dataOf(await request(owner.socket, 'room:kick', { peerId: target.joined.peerId }));
      expect(await target.log.waitFor('room:kicked')).toEqual({ reason: 'kicked' });
      expect(await witness.log.waitFor('peer:left')).toEqual({ peerId: target.joined.peerId, reason: 'kicked' });
      expect(await owner.log.waitFor('peer:left')).toEqual({ peerId: target.joined.peerId, reason: 'kicked' });
      expect(target.log.of('peer:left')).toEqual([]);
      expect(await cluster.redis.client.zscore(redisKeys.roomSeats(roomId), target.joined.peerId)).toBeNull();

      // Still connected, but out of the room: it can neither signal nor chat there.
      expect(errorCodeOf(await request(target.socket, 'signal', { to: owner.joined.peerId, description: offer }))).toBe('NOT_IN_ROOM');
      expect(errorCodeOf(await request(owner.socket, 'signal', { to: target.joined.peerId, description: offer }))).toBe('PEER_NOT_FOUND');
      // No way back by resuming the old seat, nor with a ticket issued before the kick, nor with a fresh one.
      const resume = await request(target.socket, 'room:join', { resume: { roomId, peerId: target.joined.peerId, resumeToken: target.joined.resumeToken } });
      expect(errorCodeOf(resume)).toBe('TICKET_INVALID');
      expect(errorCodeOf(await request(target.socket, 'room:join', { ticket: spareTicket }))).toBe('BANNED');
      const fresh = await cluster.issuer.ticket({ userId: target.userId, roomId, capacity: 3, issuedAt: Math.floor(Date.now() / 1000) + 1 });
      expect(errorCodeOf(await request(target.socket, 'room:join', { ticket: fresh }))).toBe('BANNED');
      // The ban is the shared entry rooms lists to the owner; lifting it (what rooms does) lets them back.
      const entry = exclusionEntrySchema.parse(JSON.parse((await cluster.redis.client.hget(redisKeys.roomExcluded(roomId), target.userId)) ?? 'null'));
      expect(entry).toMatchObject({ reason: 'kicked', name: expect.any(String) });
      await cluster.redis.client.hdel(redisKeys.roomExcluded(roomId), target.userId);
      const afterLift = await cluster.issuer.ticket({ userId: target.userId, roomId, capacity: 3 });
      expect((await request(target.socket, 'room:join', { ticket: afterLift })).ok).toBe(true);
    } finally {
      closeAll(owner, target, witness);
    }
  });

  it('refuses a banned account a seat even with a ticket issued before the ban', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner' });
    const outsider = await connectUser(cluster.two.url, cluster.issuer);
    try {
      const early = await cluster.issuer.ticket({ userId: outsider.userId, roomId, issuedAt: Math.floor(Date.now() / 1000) - 30 });
      const entry = { name: 'outsider', at: Date.now(), reason: 'removed' };
      await cluster.redis.client.hset(redisKeys.roomExcluded(roomId), outsider.userId, JSON.stringify(entry));
      expect(errorCodeOf(await request(outsider.socket, 'room:join', { ticket: early }))).toBe('BANNED');
      expect(await cluster.redis.client.zcard(redisKeys.roomSeats(roomId))).toBe(1);
    } finally {
      closeAll(owner, outsider);
    }
  });

  it('ends the seats of an account rooms excluded, on every replica, and keeps it out', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner' });
    const removed = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      // What rooms does when the owner takes an invitation back: the entry, then the event.
      await cluster.redis.client.hset(redisKeys.roomExcluded(roomId), removed.userId, JSON.stringify({ name: 'x', at: Date.now(), reason: 'removed' }));
      await cluster.redis.client.publish(redisChannels.roomEvents, JSON.stringify({ type: 'excluded', roomId, userId: removed.userId }));
      expect(await removed.log.waitFor('room:kicked')).toEqual({ reason: 'uninvited' });
      expect(await owner.log.waitFor('peer:left')).toEqual({ peerId: removed.joined.peerId, reason: 'kicked' });
      await expect.poll(() => cluster.redis.client.zscore(redisKeys.roomSeats(roomId), removed.joined.peerId)).toBeNull();
      const again = await cluster.issuer.ticket({ userId: removed.userId, roomId });
      expect(errorCodeOf(await request(removed.socket, 'room:join', { ticket: again }))).toBe('BANNED');
    } finally {
      closeAll(owner, removed);
    }
  });

  it('refuses a ticket used twice and a ticket issued to another user', async () => {
    const roomId = newRoomId();
    const first = await connectUser(cluster.one.url, cluster.issuer);
    const other = await connectUser(cluster.two.url, cluster.issuer);
    try {
      const ticket = await cluster.issuer.ticket({ userId: first.userId, roomId });
      dataOf(await request(first.socket, 'room:join', { ticket }));
      expect(errorCodeOf(await request(other.socket, 'room:join', { ticket }))).toBe('TICKET_INVALID');
      dataOf(await request(first.socket, 'room:leave', {}));
      expect(errorCodeOf(await request(first.socket, 'room:join', { ticket }))).toBe('TICKET_INVALID');
    } finally {
      closeAll(first, other);
    }
  });

  it('locks the room for newcomers (not for its owner), on every replica, and tells rooms', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner' });
    const member = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    const newcomer = await connectUser(cluster.two.url, cluster.issuer);
    let ownerSecondDevice: Seated | undefined;
    try {
      expect(errorCodeOf(await request(member.socket, 'room:lock', { locked: true }))).toBe('FORBIDDEN');
      expect(dataOf(await request(owner.socket, 'room:lock', { locked: true }))).toEqual({ locked: true });
      expect(await member.log.waitFor('room:locked')).toEqual({ locked: true });
      expect(await owner.log.waitFor('room:locked')).toEqual({ locked: true });
      expect(await cluster.redis.client.get(redisKeys.roomLocked(roomId))).toBe('1');
      await expect.poll(() => roomEvents.some((e) => e.type === 'locked' && e.roomId === roomId && e.locked)).toBe(true);

      const refused = await request(newcomer.socket, 'room:join', { ticket: await cluster.issuer.ticket({ userId: newcomer.userId, roomId }) });
      expect(errorCodeOf(refused)).toBe('ROOM_LOCKED');
      // The owner's second device gets in despite the lock (taking the first device's seat: one
      // seat per account), and the owner then moderates from it.
      ownerSecondDevice = await seatUser(cluster.two.url, cluster.issuer, { roomId, role: 'owner', userId: owner.userId });
      expect(ownerSecondDevice.joined.room.locked).toBe(true);
      await owner.log.waitFor('room:joined-elsewhere');

      dataOf(await request(ownerSecondDevice.socket, 'room:lock', { locked: false }));
      expect(await member.log.waitFor('room:locked', (p) => !p.locked)).toEqual({ locked: false });
      expect((await request(newcomer.socket, 'room:join', { ticket: await cluster.issuer.ticket({ userId: newcomer.userId, roomId }) })).ok).toBe(true);
    } finally {
      closeAll(owner, ownerSecondDevice, member, newcomer);
    }
  });

  it('passes a lock published by rooms on to the peers', async () => {
    const roomId = newRoomId();
    const peer = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      await cluster.redis.client.publish(redisChannels.roomEvents, JSON.stringify({ type: 'locked', roomId, locked: true }));
      expect(await peer.log.waitFor('room:locked')).toEqual({ locked: true });
      // Each replica tells only its own sockets: the peer hears it once.
      await request(peer.socket, 'media:state', { audio: false, video: false, screen: false });
      expect(peer.log.of('room:locked')).toHaveLength(1);
    } finally {
      closeAll(peer);
    }
  });

  it('ends the call for peers on both replicas when rooms closes the room', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    const latecomer = await connectUser(cluster.one.url, cluster.issuer);
    try {
      dataOf(await request(alice.socket, 'chat:send', { text: 'before the end' }));
      // What rooms does on close: the closed key, then the event.
      await cluster.redis.client.set(redisKeys.roomClosed(roomId), '1');
      await cluster.redis.client.publish(redisChannels.roomEvents, JSON.stringify({ type: 'closed', roomId }));

      expect(await alice.log.waitFor('room:closed')).toEqual({ reason: 'closed' });
      expect(await bob.log.waitFor('room:closed')).toEqual({ reason: 'closed' });
      expect(errorCodeOf(await request(bob.socket, 'signal', { to: alice.joined.peerId, description: offer }))).toBe('NOT_IN_ROOM');
      await expect.poll(() => cluster.redis.client.exists(redisKeys.roomSeats(roomId))).toBe(0);

      const ticket = await cluster.issuer.ticket({ userId: latecomer.userId, roomId });
      expect(errorCodeOf(await request(latecomer.socket, 'room:join', { ticket }))).toBe('ROOM_CLOSED');
      const resume = await request(bob.socket, 'room:join', { resume: { roomId, peerId: bob.joined.peerId, resumeToken: bob.joined.resumeToken } });
      expect(errorCodeOf(resume)).toBe('ROOM_CLOSED');
    } finally {
      closeAll(alice, bob, latecomer);
    }
  });

  it('ends the call for everyone on both replicas (owner only) and keeps the room for the next call', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner', capacity: 3 });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 3 });
    const carol = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 3 });
    try {
      dataOf(await request(bob.socket, 'chat:send', { text: 'said in the first call' }));
      expect(errorCodeOf(await request(bob.socket, 'room:end', {}))).toBe('FORBIDDEN');
      expect(await cluster.redis.client.zcard(redisKeys.roomSeats(roomId))).toBe(3);

      dataOf(await request(owner.socket, 'room:end', {}));
      for (const person of [owner, bob, carol]) expect(await person.log.waitFor('room:ended')).toEqual({});
      expect(carol.log.of('peer:left')).toEqual([]);
      expect(await cluster.redis.client.zcard(redisKeys.roomSeats(roomId))).toBe(0);
      expect(await cluster.redis.client.exists(redisKeys.roomClosed(roomId))).toBe(0);
      // Out of the room: no signalling to the old call, and no resuming into it.
      expect(errorCodeOf(await request(bob.socket, 'signal', { to: owner.joined.peerId, description: offer }))).toBe('NOT_IN_ROOM');
      const resume = await request(bob.socket, 'room:join', { resume: { roomId, peerId: bob.joined.peerId, resumeToken: bob.joined.resumeToken } });
      expect(errorCodeOf(resume)).toBe('TICKET_INVALID');

      // The next call, in the same room, with fresh tickets: it starts with an empty chat.
      const again = dataOf(await request(bob.socket, 'room:join', { ticket: await cluster.issuer.ticket({ userId: bob.userId, roomId, capacity: 3 }) }));
      expect(again.peers).toEqual([]);
      expect(again.chat).toEqual([]);
      const ownerAgain = dataOf(await request(owner.socket, 'room:join', { ticket: await cluster.issuer.ticket({ userId: owner.userId, roomId, role: 'owner', capacity: 3 }) }));
      expect(ownerAgain.peers.map((peer) => peer.peerId)).toEqual([again.peerId]);
    } finally {
      closeAll(owner, bob, carol);
    }
  });

  it('passes the owner\'s request to mute to that peer alone, on its replica; nobody else may ask', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner', capacity: 3 });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId, capacity: 3 });
    const carol = await seatUser(cluster.one.url, cluster.issuer, { roomId, capacity: 3 });
    try {
      expect(errorCodeOf(await request(carol.socket, 'peer:ask-mute', { peerId: bob.joined.peerId }))).toBe('FORBIDDEN');
      expect(errorCodeOf(await request(owner.socket, 'peer:ask-mute', { peerId: owner.joined.peerId }))).toBe('FORBIDDEN');
      expect(errorCodeOf(await request(owner.socket, 'peer:ask-mute', { peerId: 'no-such-peer-1' }))).toBe('PEER_NOT_FOUND');
      expect(errorCodeOf(await requestRaw(owner.socket, 'peer:ask-mute', { peerId: 42 }))).toBe('INVALID_PAYLOAD');

      dataOf(await request(owner.socket, 'peer:ask-mute', { peerId: bob.joined.peerId }));
      expect(await bob.log.waitFor('peer:mute-requested')).toEqual({ from: owner.joined.peerId });
      // A request, not a mute: nobody's media state changed, and only Bob was asked.
      dataOf(await request(carol.socket, 'chat:send', { text: 'after the request' }));
      await bob.log.waitFor('chat:message');
      expect(carol.log.of('peer:mute-requested')).toEqual([]);
      expect(owner.log.of('peer:mute-requested')).toEqual([]);
      expect(carol.log.of('peer:media')).toEqual([]);
    } finally {
      closeAll(owner, bob, carol);
    }
  });

  it('ends the call within a renewal round even if the close event was missed', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      // Only the closed key, no event: as if every replica's subscriber was reconnecting just then.
      await cluster.redis.client.set(redisKeys.roomClosed(roomId), '1');
      expect(await alice.log.waitFor('room:closed', () => true, 10_000)).toEqual({ reason: 'closed' });
      expect(await bob.log.waitFor('room:closed', () => true, 10_000)).toEqual({ reason: 'closed' });
      await expect.poll(() => cluster.redis.client.zcard(redisKeys.roomSeats(roomId))).toBe(0);
    } finally {
      closeAll(alice, bob);
    }
  });

  it('applies a capacity change published by rooms to tickets issued before it', async () => {
    const roomId = newRoomId();
    const users = await Promise.all([connectUser(cluster.one.url, cluster.issuer), connectUser(cluster.two.url, cluster.issuer), connectUser(cluster.one.url, cluster.issuer)]);
    try {
      const tickets = await Promise.all(users.map((user) => cluster.issuer.ticket({ userId: user.userId, roomId, capacity: 4 })));
      dataOf(await request(users[0]!.socket, 'room:join', { ticket: tickets[0]! }));
      await cluster.redis.client.publish(redisChannels.roomEvents, JSON.stringify({ type: 'capacity', roomId, capacity: 2 }));
      await expect.poll(() => cluster.redis.client.hget(`meshcall:room:{${roomId}}:sig:info`, 'capacity')).toBe('2');
      dataOf(await request(users[1]!.socket, 'room:join', { ticket: tickets[1]! }));
      expect(errorCodeOf(await request(users[2]!.socket, 'room:join', { ticket: tickets[2]! }))).toBe('ROOM_FULL');
    } finally {
      closeAll(...users);
    }
  });
});
