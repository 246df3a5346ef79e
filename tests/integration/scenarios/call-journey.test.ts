import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@meshcall/shared';
import { GatewayClient, directAuth, type TestUser } from '../src/client/meshcall-api.js';
import { LobbyFeed } from '../src/client/lobby-feed.js';
import { CallParticipant, dataOf, errorCodeOf, request } from '../src/client/signaling-client.js';
import { connectedSocketsPerReplica } from '../src/client/prometheus.js';
import { eventually } from '../src/support/eventually.js';
import { useEnvironment } from './support/fixture.js';
import { connectOnReplica } from './support/placement.js';
import { createRoom, waitForOccupancy } from './support/rooms.js';

const environment = useEnvironment();

describe('the journey: two users, a private room, a call across two signaling replicas', () => {
  let gateway: GatewayClient;
  let alice: TestUser;
  let bob: TestUser;
  const open: Array<{ close(): void }> = [];

  beforeAll(async () => {
    gateway = new GatewayClient(environment().gatewayUrl);
    alice = await gateway.auth.signUp('Alice');
    bob = await gateway.auth.signUp('Bob');
  });

  afterAll(() => {
    for (const thing of open) thing.close();
  });

  it('invites, calls, chats and leaves, with the owner seeing occupancy 0 → 1 → 2 → 0', async () => {
    const room = await createRoom(gateway, alice, { name: 'Design review', visibility: 'private', capacity: 4 });
    expect(room.inviteCode).toEqual(expect.any(String));
    const lobby = await LobbyFeed.open(gateway.gatewayUrl, alice.accessToken);
    open.push(lobby);
    await waitForOccupancy(gateway, alice, room.id, 0);

    // Without the invite Bob can neither see nor enter the private room; with it he can.
    expect([403, 404]).toContain((await gateway.rooms.get(bob.accessToken, room.id)).status);
    expect([403, 404]).toContain((await gateway.rooms.join(bob.accessToken, room.id)).status);
    expect((await gateway.rooms.get(bob.accessToken, room.id, room.inviteCode)).status).toBe(200);
    const bobTicket = await gateway.rooms.ticket(bob.accessToken, room.id, room.inviteCode);
    const aliceTicket = await gateway.rooms.ticket(alice.accessToken, room.id);

    const aliceCall = await connectOnReplica(environment(), alice.accessToken, 0);
    open.push(aliceCall);
    const bobCall = await connectOnReplica(environment(), bob.accessToken, 1);
    open.push(bobCall);

    const aliceSeat = dataOf(await aliceCall.join(aliceTicket));
    expect(aliceSeat).toMatchObject({ role: 'owner', peers: [], room: { id: room.id, capacity: 4 } });
    await waitForOccupancy(gateway, alice, room.id, 1);

    const bobSeat = dataOf(await bobCall.join(bobTicket));
    expect(bobSeat.role).toBe('member');
    expect(bobSeat.peers.map((peer) => [peer.peerId, peer.userId, peer.name])).toEqual([[aliceSeat.peerId, alice.id, 'Alice']]);
    await aliceCall.log.waitFor('peer:joined', (peer) => peer.peerId === bobSeat.peerId && peer.userId === bob.id);
    await waitForOccupancy(gateway, alice, room.id, 2);

    // Perfect negotiation as the browsers run it: Bob offers, Alice answers, both trickle candidates.
    const offer = { type: 'offer' as const, sdp: 'v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\n' };
    const answer = { type: 'answer' as const, sdp: 'v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\n' };
    const bobCandidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const aliceCandidate = { candidate: 'candidate:2 1 udp 2122260223 127.0.0.1 50002 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    dataOf(await request(bobCall.socket, 'signal', { to: aliceSeat.peerId, description: offer }));
    expect(await aliceCall.log.waitFor('signal', (s) => s.description?.type === 'offer')).toMatchObject({ from: bobSeat.peerId, description: offer });
    dataOf(await request(aliceCall.socket, 'signal', { to: bobSeat.peerId, description: answer }));
    expect(await bobCall.log.waitFor('signal', (s) => s.description?.type === 'answer')).toMatchObject({ from: aliceSeat.peerId, description: answer });
    dataOf(await request(bobCall.socket, 'signal', { to: aliceSeat.peerId, candidate: bobCandidate }));
    dataOf(await request(aliceCall.socket, 'signal', { to: bobSeat.peerId, candidate: aliceCandidate }));
    dataOf(await request(bobCall.socket, 'signal', { to: aliceSeat.peerId, candidate: null }));
    await aliceCall.log.waitFor('signal', (s) => s.candidate === null);
    await bobCall.log.waitFor('signal', (s) => s.candidate?.candidate === aliceCandidate.candidate);
    // Each signal arrived exactly once, in the order sent, and only at the peer it was meant for.
    expect(aliceCall.log.of('signal').map((s) => s.description?.type ?? s.candidate?.candidate ?? 'end')).toEqual(['offer', bobCandidate.candidate, 'end']);
    expect(bobCall.log.of('signal').map((s) => s.description?.type ?? s.candidate?.candidate)).toEqual(['answer', aliceCandidate.candidate]);

    const sent = dataOf(await request(aliceCall.socket, 'chat:send', { text: 'Can you hear me?' }));
    expect(sent).toMatchObject({ peerId: aliceSeat.peerId, userId: alice.id, name: 'Alice', text: 'Can you hear me?' });
    const heard = await bobCall.log.waitFor('chat:message', (m) => m.id === sent.id);
    expect(heard).toEqual(sent);
    expect(aliceCall.log.of('chat:message')).toEqual([]);

    // Both hang up at once: the seats free and the head count drops straight to 0.
    const [aliceLeft, bobLeft] = await Promise.all([request(aliceCall.socket, 'room:leave', {}), request(bobCall.socket, 'room:leave', {})]);
    expect(aliceLeft.ok && bobLeft.ok).toBe(true);
    await waitForOccupancy(gateway, alice, room.id, 0);
    const mine = await gateway.rooms.mine(alice.accessToken);
    expect(mine.body.items.find((r) => r.id === room.id)?.occupancy.count).toBe(0);
    // A private room is never announced on the public lobby feed.
    expect(lobby.eventsAbout(room.id)).toEqual([]);
  });

  it("a public room's occupancy on the live lobby feed goes 0 → 1 → 2 → 0", async () => {
    const carol = await gateway.auth.signUp('Carol');
    const lobby = await LobbyFeed.open(gateway.gatewayUrl, bob.accessToken);
    open.push(lobby);
    const room = await createRoom(gateway, carol, { name: 'Spanish practice', kind: 'language', capacity: 2 });
    const calls = await Promise.all([CallParticipant.connect(gateway.gatewayUrl, carol.accessToken), CallParticipant.connect(gateway.gatewayUrl, bob.accessToken)]);
    open.push(...calls);
    const [carolCall, bobCall] = calls as [CallParticipant, CallParticipant];

    dataOf(await carolCall.join(await gateway.rooms.ticket(carol.accessToken, room.id)));
    await lobby.waitForOccupancy(room.id, 1);
    dataOf(await bobCall.join(await gateway.rooms.ticket(bob.accessToken, room.id)));
    await lobby.waitForOccupancy(room.id, 2);
    await Promise.all([request(carolCall.socket, 'room:leave', {}), request(bobCall.socket, 'room:leave', {})]);
    await lobby.waitForOccupancy(room.id, 0);

    const history = lobby.occupancyHistory(room.id);
    expect(history.slice(0, 3)).toEqual([0, 1, 2]);
    expect(history.at(-1)).toBe(0);
    expect(Math.max(...history)).toBe(2);
  });
});

describe('capacity under race: 50 joins at once across two replicas', () => {
  let gateway: GatewayClient;
  let owner: TestUser;
  let crowd: TestUser[];

  beforeAll(async () => {
    gateway = new GatewayClient(environment().gatewayUrl);
    owner = await gateway.auth.signUp('Owner');
    // Setup traffic goes to an auth replica directly; the gateway's sign-in flood limit is tested on its own.
    const auth = directAuth(environment().urls.auth[0] as string);
    crowd = [];
    for (let batch = 0; batch < 5; batch++) {
      crowd.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => auth.signUp(`racer-${batch * 10 + i}`)))));
    }
  });

  for (const capacity of [2, 6]) {
    it(`admits exactly ${capacity} of 50 simultaneous joins to a room of ${capacity}`, async () => {
      const room = await createRoom(gateway, owner, { name: `Race for ${capacity}`, capacity });
      const tickets = await Promise.all(crowd.map((user) => gateway.rooms.ticket(user.accessToken, room.id)));
      const before = await connectedSocketsPerReplica(environment().urls.signaling);
      const calls = await Promise.all(crowd.map((user) => CallParticipant.connect(gateway.gatewayUrl, user.accessToken)));
      try {
        // The sockets really are spread over both replicas, so the race crosses processes.
        const after = await connectedSocketsPerReplica(environment().urls.signaling);
        const added = after.map((count, i) => count - (before[i] ?? 0));
        expect(added.every((n) => n > 0), `sockets per replica: ${JSON.stringify(added)}`).toBe(true);

        const acks = await Promise.all(calls.map((call, i) => call.join(tickets[i] as string)));
        const admitted = acks.filter((ack) => ack.ok);
        const refusals = acks.filter((ack) => !ack.ok).map((ack) => errorCodeOf(ack));
        expect(admitted).toHaveLength(capacity);
        expect(refusals).toEqual(Array.from({ length: 50 - capacity }, () => ErrorCode.ROOM_FULL));
        expect(await waitForOccupancy(gateway, owner, room.id, capacity)).toBe(capacity);
        // Everyone seated sees exactly the others seated: one consistent room, not two halves.
        const seatedPeerIds = new Set(admitted.map((ack) => (ack.ok ? ack.data.peerId : '')));
        const seatedCalls = calls.filter((call) => call.joined);
        for (const call of seatedCalls) {
          await eventually(
            'every seated peer knows every other',
            async () => new Set([...(call.joined?.peers.map((p) => p.peerId) ?? []), ...call.log.of('peer:joined').map((p) => p.peerId), call.peerId]),
            (known) => known.size === capacity && [...known].every((id) => seatedPeerIds.has(id)),
            { timeoutMs: 5_000 },
          );
        }
        await Promise.all(seatedCalls.map((call) => request(call.socket, 'room:leave', {})));
        await waitForOccupancy(gateway, owner, room.id, 0);
      } finally {
        for (const call of calls) call.close();
      }
    });
  }
});
