import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, errorBodySchema, healthResponseSchema } from '@meshcall/shared';
import { RELAY_ALLOCATED, requestRelay, turnCredentials } from '@meshcall/stack';
import { GatewayClient, type TestUser } from '../src/client/meshcall-api.js';
import { LobbyFeed } from '../src/client/lobby-feed.js';
import { CallParticipant, dataOf, request } from '../src/client/signaling-client.js';
import { connectedSocketsPerReplica } from '../src/client/prometheus.js';
import { eventually } from '../src/support/eventually.js';
import { useEnvironment } from './support/fixture.js';
import { connectAndLocate, connectOnReplica } from './support/placement.js';
import { createRoom, waitForOccupancy } from './support/rooms.js';
import { raceForSeats, signUpCrowd, type RaceCrowd } from './support/seat-race.js';

const environment = useEnvironment();

/** The gateway must not cut a call that sends nothing but Socket.IO's own pings for this long. */
const IDLE_MS = 120_000;

/**
 * A participant seated at the start of the file and then left alone; the file's last test checks it
 * is still connected, on the same session, {@link IDLE_MS} later. The other tests run meanwhile.
 */
const idle: { call?: CallParticipant; engineId?: string; since?: number; disconnects: string[] } = { disconnects: [] };

beforeAll(async () => {
  const gateway = new GatewayClient(environment().gatewayUrl);
  const user = await gateway.auth.signUp('Idle');
  const room = await createRoom(gateway, user, { name: 'Quiet call' });
  idle.call = await CallParticipant.connect(gateway.gatewayUrl, user.accessToken);
  idle.call.socket.on('disconnect', (reason) => idle.disconnects.push(reason));
  dataOf(await idle.call.join(await gateway.rooms.ticket(user.accessToken, room.id)));
  idle.engineId = idle.call.socket.io.engine.id;
  idle.since = Date.now();
});

afterAll(() => idle.call?.close());

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
  let crowd: RaceCrowd;

  beforeAll(async () => {
    crowd = await signUpCrowd(environment());
  });

  for (const capacity of [2, 6]) {
    it(`admits exactly ${capacity} of 50 simultaneous joins to a room of ${capacity}`, async () => {
      await raceForSeats(environment(), crowd, capacity);
    });
  }
});

describe('the gateway in front of the real services', () => {
  let gateway: GatewayClient;
  let user: TestUser;

  beforeAll(async () => {
    gateway = new GatewayClient(environment().gatewayUrl);
    user = await gateway.auth.signUp('Router');
  });

  it('routes each prefix to its service, and real calls reach them', async () => {
    for (const service of ['auth', 'rooms', 'signaling'] as const) {
      const health = await gateway.http.request('GET', `${gateway.gatewayUrl}/api/${service}/healthz`);
      expect(health.status).toBe(200);
      expect(healthResponseSchema.parse(health.body).service).toBe(service);
      const ready = await gateway.http.request('GET', `${gateway.gatewayUrl}/api/${service}/readyz`);
      expect(ready.status).toBe(200);
    }
    // auth: the access token's key set and the signed-in user.
    const jwks = await gateway.http.request<{ keys: Array<{ kid: string }> }>('GET', `${gateway.gatewayUrl}/api/auth/.well-known/jwks.json`);
    expect(jwks.body.keys.length).toBeGreaterThan(0);
    expect((await gateway.auth.me(user.accessToken)).body.user).toMatchObject({ id: user.id, email: user.email });
    // rooms: create, list, the ticket key set, and the lobby WebSocket.
    const room = await createRoom(gateway, user, { name: 'Routed', kind: 'coding' });
    const listed = await gateway.http.request<{ items: Array<{ id: string }> }>('GET', `${gateway.gatewayUrl}/api/rooms?kind=coding&pageSize=100`, { token: user.accessToken });
    expect(listed.body.items.map((r) => r.id)).toContain(room.id);
    expect((await gateway.http.request('GET', `${gateway.gatewayUrl}/api/rooms/.well-known/jwks.json`)).status).toBe(200);
    const lobby = await LobbyFeed.open(gateway.gatewayUrl, user.accessToken);
    lobby.close();
    // signaling: a Socket.IO session on /socket.io/ takes a seat with a ticket from rooms.
    const call = await CallParticipant.connect(gateway.gatewayUrl, user.accessToken);
    try {
      expect(dataOf(await call.join(await gateway.rooms.ticket(user.accessToken, room.id))).room.id).toBe(room.id);
    } finally {
      call.close();
    }
    // web: the app shell.
    const page = await fetch(`${gateway.gatewayUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<html');
    // Metrics stay internal, and unknown API paths get the API's error shape, not the app's HTML.
    for (const path of ['/api/auth/metrics', '/api/signaling/metrics', '/api/nothing-here']) {
      const answer = await gateway.http.request('GET', `${gateway.gatewayUrl}${path}`);
      expect(answer.status, path).toBe(404);
      expect(errorBodySchema.safeParse(answer.body).success, path).toBe(true);
    }
  });

  it("hands out TURN credentials that the stack's coturn grants a relay for, and coturn refuses forged ones", async () => {
    const room = await createRoom(gateway, user, { name: 'Relayed', kind: 'business' });
    const join = await gateway.rooms.join(user.accessToken, room.id);
    expect(join.status).toBe(200);
    const credentials = turnCredentials(join.body.iceServers);
    // Browsers here are sent to coturn on this machine: turn:127.0.0.1:PORT.
    const turnUrl = /^turn:127\.0\.0\.1:(\d+)/.exec(credentials.urls.find((url) => url.startsWith('turn:')) ?? '');
    expect(turnUrl, credentials.urls.join(' ')).not.toBeNull();
    const port = Number(turnUrl?.[1]);
    // A relay towards a loopback peer: coturn allocates it either way, and nothing leaves this machine.
    const peer = { address: '127.0.0.1', port: 9 };
    const forged = { username: credentials.username, credential: Buffer.from('forged').toString('base64') };
    const [granted, refused] = await Promise.all([requestRelay({ port, credentials, peer, packets: 0 }), requestRelay({ port, credentials: forged, peer, packets: 0 })]);
    expect(granted).toMatch(RELAY_ALLOCATED);
    expect(refused).not.toMatch(RELAY_ALLOCATED);
    expect(refused).toContain('Cannot complete Allocation');
  });

  it('sets the security headers on API answers, errors and the web app', async () => {
    const origin = new URL(gateway.gatewayUrl).host;
    const answers = await Promise.all([
      fetch(`${gateway.gatewayUrl}/api/auth/me`, { headers: { authorization: `Bearer ${user.accessToken}` } }),
      fetch(`${gateway.gatewayUrl}/api/rooms/no-such-room`, { headers: { authorization: `Bearer ${user.accessToken}` } }),
      fetch(`${gateway.gatewayUrl}/`),
    ]);
    for (const answer of answers) {
      await answer.body?.cancel();
      const csp = answer.headers.get('content-security-policy') ?? '';
      // The browser's WebSocket to this same origin (Socket.IO, the lobby feed) must be allowed.
      const connectSources = /connect-src ([^;]*)/.exec(csp)?.[1]?.split(/\s+/) ?? [];
      expect(connectSources).toEqual(expect.arrayContaining(["'self'", `ws://${origin}`]));
      expect(csp).toContain("frame-ancestors 'none'");
      const permissions = answer.headers.get('permissions-policy') ?? '';
      for (const feature of ['camera=(self)', 'microphone=(self)', 'display-capture=(self)']) expect(permissions).toContain(feature);
      expect(answer.headers.get('referrer-policy')).toBeTruthy();
      // Browsers read the first value of a repeated header (rooms' helmet sends its own copy).
      expect(answer.headers.get('x-content-type-options')?.split(',')[0]).toBe('nosniff');
    }
  });

  it('places every socket that names the same room on one replica, and spreads rooms over the replicas', async () => {
    const stamp = Date.now().toString(36);
    // An odd number of rooms, connected round by round: least_conn's alternation cannot pass for placement by room.
    const rooms = Array.from({ length: 13 }, (_, i) => `placement-${i}-${stamp}`);
    const placed: CallParticipant[] = [];
    const replicasOf = new Map<string, number[]>(rooms.map((roomId) => [roomId, []]));
    try {
      for (let round = 0; round < 2; round++) {
        for (const roomId of rooms) {
          const { participant, replica } = await connectAndLocate(environment(), user.accessToken, { roomId });
          placed.push(participant);
          replicasOf.get(roomId)?.push(replica);
        }
      }
      for (const [roomId, replicas] of replicasOf) expect(new Set(replicas).size, `the replicas of room ${roomId}'s sockets`).toBe(1);
      // A consistent hash over two replicas puts 13 rooms all on one with odds of 1 in 4,096.
      expect(new Set([...replicasOf.values()].map((replicas) => replicas[0])).size).toBe(environment().urls.signaling.length);
    } finally {
      for (const participant of placed) participant.close();
    }
  });

  it('keeps a Socket.IO session on one replica for its whole life', async () => {
    const room = await createRoom(gateway, user, { name: 'Sticky' });
    const { participant, replica } = await connectAndLocate(environment(), user.accessToken);
    const sessionId = participant.socket.io.engine.id;
    const drops: string[] = [];
    participant.socket.on('disconnect', (reason) => drops.push(reason));
    try {
      // A few seconds of a call's life: joins, chat, leaves, over one session.
      for (let round = 0; round < 5; round++) {
        dataOf(await participant.join(await gateway.rooms.ticket(user.accessToken, room.id)));
        dataOf(await request(participant.socket, 'chat:send', { text: `round ${round}` }));
        dataOf(await request(participant.socket, 'room:leave', {}));
        await sleep(500);
      }
      expect(drops).toEqual([]);
      expect(participant.socket.io.engine.id).toBe(sessionId);
      expect(participant.socket.io.engine.transport.name).toBe('websocket');
      const before = await connectedSocketsPerReplica(environment().urls.signaling);
      participant.close();
      // Closing it frees a connection on the replica it started on: it never moved.
      await eventually(
        `the session's replica (${replica}) lets go of it`,
        () => connectedSocketsPerReplica(environment().urls.signaling),
        (after) => after[replica] === (before[replica] ?? 0) - 1 && after.every((count, i) => i === replica || count === before[i]),
        { timeoutMs: 5_000 },
      );
    } finally {
      participant.close();
    }
  });

  it('answers a burst of sign-ins from one address with 429 RATE_LIMITED past the flood limit', async () => {
    const attempts = await Promise.all(Array.from({ length: 30 }, () => gateway.auth.login({ email: user.email, password: user.password })));
    const statuses = attempts.map((attempt) => attempt.status);
    expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    const limited = attempts.filter((attempt) => attempt.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const answer of limited) {
      expect(errorBodySchema.parse(answer.body).error.code).toBe(ErrorCode.RATE_LIMITED);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('lets an idle call live for 2 minutes (the file-level participant)', async () => {
    const call = idle.call as CallParticipant;
    await sleep(Math.max(0, (idle.since as number) + IDLE_MS - Date.now()));
    expect(idle.disconnects).toEqual([]);
    expect(call.socket.connected).toBe(true);
    expect(call.socket.io.engine.id).toBe(idle.engineId);
    // Still a working call, not only an open socket.
    expect(dataOf(await request(call.socket, 'chat:send', { text: 'still here after two minutes' })).text).toBe('still here after two minutes');
  });
});
