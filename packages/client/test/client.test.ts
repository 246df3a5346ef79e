import { afterEach, describe, expect, inject, it } from 'vitest';
import type { JoinResult } from '@meshcall/shared';
import { MeshcallClient, MeshcallError, RefreshCookieJar, SignalingConnection, isMeshcallError } from '@meshcall/client';
import { signedUpClient } from './support.js';

/** Connections opened by a test, closed after it whatever happened. */
const open: SignalingConnection[] = [];
/** Server events their shared schema refused, heard by any connection of the test. */
const offContract: string[] = [];
afterEach(() => {
  for (const connection of open.splice(0)) connection.close();
  // Every event the real server sent in the test must have passed its schema in serverEventPayloadSchemas.
  expect(offContract.splice(0)).toEqual([]);
});

async function seated(client: MeshcallClient, roomId: string, options: { reconnectionDelayMs?: number } = {}): Promise<{ call: SignalingConnection; seat: JoinResult }> {
  const { ticket } = await client.rooms.join(roomId);
  const call = await client.connect({ roomId, ...options });
  open.push(call);
  call.onConnection('invalid-event', (event, payload) => offContract.push(`${event} ${JSON.stringify(payload)}`));
  return { call, seat: await call.join(ticket) };
}

async function rejection(promise: Promise<unknown>): Promise<MeshcallError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MeshcallError) return error;
    throw error;
  }
  throw new Error('expected a MeshcallError, but it succeeded');
}

describe('auth through the client', () => {
  it('signs in an existing account and refuses a wrong password with its reason code', async () => {
    const { email, password } = await signedUpClient('Carol');
    const client = new MeshcallClient({ baseUrl: inject('gatewayUrl') });
    const session = await client.signIn({ email, password });
    expect(client.user?.id).toBe(session.user.id);
    const refused = await rejection(client.signIn({ email, password: 'not-the-password' }));
    expect(refused).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
  });

  it('refreshes with the rotated refresh token every time, and one refresh serves callers asking at once', async () => {
    const jar = new RefreshCookieJar();
    const client = new MeshcallClient({ baseUrl: inject('gatewayUrl'), refreshTokens: jar });
    const { email, password } = await signedUpClient('Dana');
    await client.signIn({ email, password });
    const first = jar.current;
    const second = await client.tokens.refreshNow();
    expect(jar.current).not.toBe(first);
    // Three at once would present one cookie three times and revoke the family; they share one refresh.
    const together = await Promise.all([client.tokens.refreshNow(), client.tokens.refreshNow(), client.tokens.refreshNow()]);
    expect(new Set(together).size).toBe(1);
    expect(together[0]).not.toBe(second);
    // The family is intact: the account still works with the latest cookie.
    await client.tokens.refreshNow();
    expect((await client.auth.me(await client.tokens.get())).user.email).toBe(email);
  });

  it('a replayed (rotated-away) refresh token is refused with UNAUTHORIZED', async () => {
    const jar = new RefreshCookieJar();
    const client = new MeshcallClient({ baseUrl: inject('gatewayUrl'), refreshTokens: jar });
    const { email, password } = await signedUpClient('Eve');
    await client.signIn({ email, password });
    const stale = new MeshcallClient({ baseUrl: inject('gatewayUrl'), refreshTokens: new RefreshCookieJar(jar.current) });
    await client.tokens.refreshNow();
    expect(await rejection(stale.tokens.refreshNow())).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('rooms through the client', () => {
  it('creates a room, finds it in the lobby, and hands out a ticket with TURN credentials', async () => {
    const { client } = await signedUpClient('Owner');
    const room = await client.rooms.create({ name: `Lobby ${Date.now()}`, kind: 'coding', capacity: 3 });
    const lobby = await client.rooms.list({ q: room.name });
    expect(lobby.items.map((item) => item.id)).toContain(room.id);
    const admission = await client.rooms.join(room.id);
    expect(admission.ticket.split('.')).toHaveLength(3);
    const turn = (await client.rooms.iceServers(room.id)).find((server) => server.urls.some((url) => url.startsWith('turn:')));
    expect(turn?.username).toMatch(/^\d+:/);
    expect(turn?.credential).toBeTruthy();
  });

  it('reports a refusal with the server’s reason code', async () => {
    const { client } = await signedUpClient('Nobody');
    expect(await rejection(client.rooms.join('no-such-room'))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });
});

describe('guests through the client', () => {
  it('previews an invite without a token, joins as a guest with it, and is seen as a guest; nothing else is open to it', async () => {
    const { client: owner } = await signedUpClient('Host');
    const room = await owner.rooms.create({ name: `Guests ${Date.now()}`, kind: 'learning', visibility: 'private', guestAccess: true });
    const invite = room.inviteCode ?? '';
    const guest = new MeshcallClient({ baseUrl: inject('gatewayUrl') });
    expect(await guest.rooms.preview(room.id, invite)).toEqual({ id: room.id, name: room.name, kind: 'learning', guestAccess: true });
    expect(await rejection(guest.rooms.preview(room.id, 'not-the-code-1234'))).toMatchObject({ code: 'FORBIDDEN', status: 403 });

    await guest.joinAsGuest({ roomId: room.id, name: 'Gwen' });
    expect(guest.guest).toMatchObject({ name: 'Gwen', roomId: room.id });
    const { call: ownerCall } = await seated(owner, room.id);
    const ownerHearsGuest = ownerCall.next('peer:joined');
    const admission = await guest.rooms.join(room.id, invite);
    const guestCall = await guest.connect({ roomId: room.id });
    open.push(guestCall);
    await guestCall.join(admission.ticket);
    expect(await ownerHearsGuest).toMatchObject({ name: 'Gwen', guest: true, role: 'member' });

    expect(await rejection(guest.rooms.create({ name: 'Mine now', kind: 'coding' }))).toMatchObject({ code: 'GUEST_NOT_ALLOWED', status: 403 });
    expect(await rejection(guest.rooms.mine())).toMatchObject({ code: 'GUEST_NOT_ALLOWED', status: 403 });
  });
});

describe('signaling through the client', () => {
  it('refuses a handshake with a bad token with UNAUTHORIZED', async () => {
    const refused = await rejection(SignalingConnection.connect({ url: inject('gatewayUrl'), origin: inject('gatewayUrl'), accessToken: async () => 'not-a-token' }));
    expect(refused.code).toBe('UNAUTHORIZED');
  });

  it('types acknowledgement errors with the server’s code', async () => {
    const { client } = await signedUpClient('Fay');
    const room = await client.rooms.create({ name: 'Errors', kind: 'business', capacity: 2 });
    const { call } = await seated(client, room.id);
    expect(await rejection(call.signal('peer_00000000', { candidate: null }))).toMatchObject({ code: 'PEER_NOT_FOUND' });
    const { ticket } = await client.rooms.join(room.id);
    expect(isMeshcallError(await rejection(call.join(ticket)), 'CONFLICT')).toBe(true);
  });

  it('joins under a name for this call only: others see it, the account keeps its own', async () => {
    const { client: owner } = await signedUpClient('Ivy');
    const { client: guest } = await signedUpClient('Jon');
    const room = await owner.rooms.create({ name: 'Names', kind: 'business', capacity: 3 });
    const { call: ownerCall } = await seated(owner, room.id);
    const joined = ownerCall.next('peer:joined');
    const { ticket } = await guest.rooms.join(room.id);
    const guestCall = await guest.connect({ roomId: room.id });
    open.push(guestCall);
    const refused = await rejection(guestCall.join(ticket, { name: 'bad\u0000name' }));
    expect(refused.code).toBe('INVALID_PAYLOAD');
    await guestCall.join(ticket, { name: 'Jon on the road' });
    expect(await joined).toMatchObject({ name: 'Jon on the road' });
    expect((await guest.auth.me(await guest.tokens.get())).user.name).toBe('Jon');
  });

  it('tells a kicked participant why with a reason code, and forgets the seat', async () => {
    const { client: owner } = await signedUpClient('Gus');
    const { client: guest } = await signedUpClient('Hal');
    const room = await owner.rooms.create({ name: 'Moderated', kind: 'business', capacity: 2 });
    const { call: ownerCall } = await seated(owner, room.id);
    const { call: guestCall, seat } = await seated(guest, room.id);
    const kicked = guestCall.next('room:kicked');
    await ownerCall.request('room:kick', { peerId: seat.peerId });
    expect(await kicked).toEqual({ reason: 'kicked' });
    expect(guestCall.seat).toBeUndefined();
    expect(await rejection(guest.rooms.join(room.id))).toMatchObject({ code: 'BANNED' });
  });

  it('hands moderation to the longest-present participant when the owner leaves, and follows it in isHost', async () => {
    const { client: owner } = await signedUpClient('Ivy');
    const { client: first } = await signedUpClient('Jon');
    const { client: second } = await signedUpClient('Kim');
    const room = await owner.rooms.create({ name: 'Handed over', kind: 'business', capacity: 3 });
    const { call: ownerCall } = await seated(owner, room.id);
    const { call: firstCall, seat: firstSeat } = await seated(first, room.id);
    const { call: secondCall } = await seated(second, room.id);
    expect([ownerCall.isHost, firstCall.isHost, secondCall.isHost]).toEqual([true, false, false]);
    expect(await rejection(firstCall.request('room:lock', { locked: true }))).toMatchObject({ code: 'FORBIDDEN' });

    const handedOver = secondCall.next('room:host');
    const told = firstCall.next('room:host');
    await ownerCall.leave();
    expect(await handedOver).toEqual({ peerId: firstSeat.peerId, name: 'Jon' });
    await told;
    expect([firstCall.isHost, secondCall.isHost]).toEqual([true, false]);
    expect(await firstCall.request('room:lock', { locked: true })).toEqual({ locked: true });
  });

  it('knocks on a locked room: the host admits, and the knocker gets a ticket past the lock and joins', async () => {
    const { client: owner } = await signedUpClient('Lea');
    const { client: knocker } = await signedUpClient('Max');
    const room = await owner.rooms.create({ name: 'Knock here', kind: 'business', capacity: 3 });
    const { call: ownerCall } = await seated(owner, room.id);
    await ownerCall.request('room:lock', { locked: true });
    expect(await rejection(knocker.rooms.join(room.id))).toMatchObject({ code: 'ROOM_LOCKED' });

    const { ticket } = await knocker.rooms.join(room.id, undefined, { knock: true });
    const knockerCall = await knocker.connect({ roomId: room.id });
    open.push(knockerCall);
    const request = ownerCall.next('room:knock-request');
    const outcome = knockerCall.knock(ticket);
    const { knockId, name } = await request;
    expect(name).toBe('Max');
    await ownerCall.answerKnock(knockId, true);
    expect(await outcome).toBe('admitted');
    const admitted = await knocker.rooms.join(room.id);
    expect((await knockerCall.join(admitted.ticket)).room.locked).toBe(true);
  });

  it('resumes the seat after a dropped connection and replays the signals sent meanwhile, once and in order', async () => {
    const { client: alice } = await signedUpClient('Ann');
    const { client: bob } = await signedUpClient('Ben');
    const room = await alice.rooms.create({ name: 'Resume', kind: 'business', capacity: 2 });
    const { call: aliceCall } = await seated(alice, room.id);
    // Bob waits 2 s before reconnecting, so Alice's signals surely land while he is away.
    const { call: bobCall, seat: bobSeat } = await seated(bob, room.id, { reconnectionDelayMs: 2_000 });
    const candidates: string[] = [];
    bobCall.on('signal', (message) => {
      if (message.candidate) candidates.push(message.candidate.candidate);
    });
    await aliceCall.signal(bobSeat.peerId, { candidate: { candidate: 'candidate:0 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0' } });
    await expect.poll(() => candidates.length).toBe(1);

    const resumed = new Promise<JoinResult>((resolve) => bobCall.onConnection('resumed', resolve));
    const dropped = new Promise<string>((resolve) => bobCall.onConnection('disconnected', resolve));
    // What a lost network looks like to Socket.IO: the transport goes away without a goodbye.
    bobCall.socket.io.engine.close();
    await dropped;
    expect(bobCall.connected).toBe(false);
    for (const n of [1, 2, 3]) await aliceCall.signal(bobSeat.peerId, { candidate: { candidate: `candidate:${n} 1 udp 1 127.0.0.1 500${n} typ host`, sdpMid: '0' } });
    // A request made while the seat is away waits for the resume instead of failing NOT_IN_ROOM,
    // and so does a fire-and-forget signal (which would otherwise be refused unheard).
    const atAlice: Array<string | null> = [];
    aliceCall.on('signal', (message) => atAlice.push(message.candidate === undefined ? 'description' : (message.candidate?.candidate.split(' ')[0] ?? null)));
    const bobAnswers = bobCall.signal(aliceCall.peerId, { candidate: null });
    bobCall.send('signal', { to: aliceCall.peerId, candidate: { candidate: 'candidate:9 1 udp 1 127.0.0.1 5009 typ host', sdpMid: '0' } });

    const result = await resumed;
    await bobAnswers;
    await expect.poll(() => atAlice).toEqual([null, 'candidate:9']);
    expect(result).toMatchObject({ peerId: bobSeat.peerId, resync: false });
    await expect.poll(() => candidates.length).toBe(4);
    expect(candidates.map((candidate) => candidate.split(' ')[0])).toEqual(['candidate:0', 'candidate:1', 'candidate:2', 'candidate:3']);
    // Alice never heard Bob leave.
    const left = await rejection(aliceCall.next('peer:left', { timeoutMs: 500 }));
    expect(left.code).toBe('TIMEOUT');
  });

  it('says the seat is lost when the connection comes back after the resume window', async () => {
    const { client: alice } = await signedUpClient('Cat');
    const { client: bob } = await signedUpClient('Dan');
    const room = await alice.rooms.create({ name: 'Too late', kind: 'business', capacity: 2 });
    const { call: aliceCall } = await seated(alice, room.id);
    const { call: bobCall, seat: bobSeat } = await seated(bob, room.id);
    const lost = new Promise<MeshcallError>((resolve) => bobCall.onConnection('seat-lost', resolve));
    // Bob's network is gone for longer than the 5-s resume window of this stack.
    bobCall.socket.io.reconnection(false);
    bobCall.socket.io.engine.close();
    expect(await aliceCall.next('peer:left', { timeoutMs: 20_000 })).toEqual({ peerId: bobSeat.peerId, reason: 'disconnected' });
    bobCall.socket.io.reconnection(true);
    bobCall.reconnect();
    expect((await lost).code).toBe('TICKET_INVALID');
    expect(bobCall.seat).toBeUndefined();
    // A new ticket brings Bob back, under a new peer id.
    const { ticket } = await bob.rooms.join(room.id);
    expect((await bobCall.join(ticket)).peerId).not.toBe(bobSeat.peerId);
  });

  it('hands over a fresh access token when signaling warns of expiry, so the socket stays up', async () => {
    const { client } = await signedUpClient('Ivy');
    const room = await client.rooms.create({ name: 'Long call', kind: 'business', capacity: 2 });
    const { call } = await seated(client, room.id);
    const warned = call.next('session:expiring', { timeoutMs: 20_000 });
    const refreshed = new Promise<string>((resolve) => call.onConnection('session-refreshed', resolve));
    const { expiresAt } = await warned;
    const newExpiry = await refreshed;
    expect(Date.parse(newExpiry)).toBeGreaterThan(Date.parse(expiresAt));
    expect(call.connected).toBe(true);
    await call.request('media:state', { audio: true, video: false, screen: false });
  });
});
