import { describe, expect, it } from 'vitest';
import { EventLog, connect, dataOf, errorCodeOf, request } from './support/client.js';
import { ALL_SERVER_EVENTS, closeAll, seatUser, type Participant, type Seated } from './support/participant.js';
import { twoReplicasForSuite } from './support/replicas.js';
import { newRoomId, newUserId } from './support/token-issuer.js';

/**
 * Guests (no account): a guest token from auth connects, a guest ticket from rooms seats it, and
 * everyone in the room sees it marked as a guest. A guest cannot moderate.
 */
describe('guests in a call', () => {
  const cluster = twoReplicasForSuite('guests');

  async function connectGuest(url: string, roomId: string, name = 'Gwen'): Promise<Participant> {
    const userId = newUserId();
    const socket = await connect(url, await cluster.issuer.accessToken(userId, { guestOf: roomId, name }));
    return { userId, socket, log: new EventLog(socket, ALL_SERVER_EVENTS) };
  }

  async function seatGuest(url: string, roomId: string, name = 'Gwen'): Promise<Seated> {
    const guest = await connectGuest(url, roomId, name);
    const ticket = await cluster.issuer.ticket({ userId: guest.userId, roomId, name, guest: true });
    return { ...guest, joined: dataOf(await request(guest.socket, 'room:join', { ticket })) };
  }

  it('marks the guest for everyone: in peer:joined, in the peers a later joiner gets, and not the accounts', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner' });
    let guest: Seated | undefined;
    let later: Seated | undefined;
    try {
      guest = await seatGuest(cluster.two.url, roomId);
      expect(guest.joined.role).toBe('member');
      expect(guest.joined.peers).toEqual([expect.objectContaining({ peerId: owner.joined.peerId, guest: false, role: 'owner' })]);
      expect(await owner.log.waitFor('peer:joined')).toMatchObject({ peerId: guest.joined.peerId, userId: guest.userId, name: 'Gwen', guest: true, role: 'member' });

      later = await seatUser(cluster.one.url, cluster.issuer, { roomId });
      const seen = Object.fromEntries(later.joined.peers.map((peer) => [peer.peerId, peer.guest]));
      expect(seen).toEqual({ [owner.joined.peerId]: false, [guest.joined.peerId]: true });
    } finally {
      closeAll(owner, guest, later);
    }
  });

  it('cannot moderate: kick, lock, end the call and ask to mute are refused', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner' });
    const guest = await seatGuest(cluster.two.url, roomId);
    try {
      expect(errorCodeOf(await request(guest.socket, 'room:kick', { peerId: owner.joined.peerId }))).toBe('FORBIDDEN');
      expect(errorCodeOf(await request(guest.socket, 'room:lock', { locked: true }))).toBe('FORBIDDEN');
      expect(errorCodeOf(await request(guest.socket, 'room:end', {}))).toBe('FORBIDDEN');
      expect(errorCodeOf(await request(guest.socket, 'peer:ask-mute', { peerId: owner.joined.peerId }))).toBe('FORBIDDEN');
      // The owner still can: the guest is kicked like anyone.
      dataOf(await request(owner.socket, 'room:kick', { peerId: guest.joined.peerId }));
      expect(await guest.log.waitFor('room:kicked')).toEqual({ reason: 'kicked' });
    } finally {
      closeAll(owner, guest);
    }
  });

  it('never becomes the host: when the owner leaves, moderation skips a guest who has been there longer', async () => {
    const roomId = newRoomId();
    const owner = await seatUser(cluster.one.url, cluster.issuer, { roomId, role: 'owner' });
    const guest = await seatGuest(cluster.two.url, roomId);
    const member = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    try {
      dataOf(await request(owner.socket, 'room:leave', {}));
      expect(await guest.log.waitFor('room:host', (event) => event.peerId !== owner.joined.peerId)).toMatchObject({ peerId: member.joined.peerId });
      expect(errorCodeOf(await request(guest.socket, 'room:lock', { locked: true }))).toBe('FORBIDDEN');
      expect(dataOf(await request(member.socket, 'room:lock', { locked: true }))).toEqual({ locked: true });

      // With only guests left, nobody hosts: nobody is named, and the guest still cannot moderate.
      dataOf(await request(member.socket, 'room:leave', {}));
      await expect.poll(() => guest.log.of('peer:left').length).toBe(2);
      expect(guest.log.of('room:host').map((event) => event.peerId)).not.toContain(guest.joined.peerId);
      expect(errorCodeOf(await request(guest.socket, 'room:lock', { locked: false }))).toBe('FORBIDDEN');
    } finally {
      closeAll(owner, guest, member);
    }
  });

  it('joins only its own room, and only with a guest ticket', async () => {
    const roomId = newRoomId();
    const otherRoom = newRoomId();
    const guest = await connectGuest(cluster.one.url, roomId);
    try {
      const elsewhere = await cluster.issuer.ticket({ userId: guest.userId, roomId: otherRoom, guest: true });
      expect(errorCodeOf(await request(guest.socket, 'room:join', { ticket: elsewhere }))).toBe('TICKET_INVALID');
      const asAccount = await cluster.issuer.ticket({ userId: guest.userId, roomId, guest: false });
      expect(errorCodeOf(await request(guest.socket, 'room:join', { ticket: asAccount }))).toBe('TICKET_INVALID');
      const right = await cluster.issuer.ticket({ userId: guest.userId, roomId, guest: true });
      expect(dataOf(await request(guest.socket, 'room:join', { ticket: right })).room.id).toBe(roomId);
    } finally {
      closeAll(guest);
    }
  });
});
