import { createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, SEAT_LEASE_MS, TokenAudience, TokenIssuer, joinRoomResponseSchema, joinTicketClaimsSchema, redisKeys, roomResponseSchema, type Room } from '@meshcall/shared';
import { createJwtVerifier } from '@meshcall/server-kit';
import { call } from './support/api.js';
import { newUser, startFakeAuth, type FakeAuth, type TestUser } from './support/fake-auth.js';
import { loadRoomsConfig } from '../src/config.js';
import { TEST_TURN_SECRET, startRoomsServer, takeSeats, testRedis, type RoomsServer } from './support/rooms-server.js';

let auth: FakeAuth;
let server: RoomsServer;
let redis: Redis;
const owner = newUser('Olga');
const member = newUser('Max');
const stranger = newUser('Sid');
const tokens = new Map<TestUser, string>();

beforeAll(async () => {
  auth = await startFakeAuth();
  server = await startRoomsServer({ database: 'rooms_join', authJwksUrl: auth.jwksUrl, env: { TURN_HOST: 'turn.test', TURN_PORT: '3479', TURN_TLS_PORT: '5350' } });
  redis = testRedis();
  for (const user of [owner, member, stranger]) tokens.set(user, await auth.mint(user));
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  await auth?.stop();
});

async function createRoom(body: Record<string, unknown>): Promise<Room> {
  const response = await call(server.app, 'POST', '/', { token: tokens.get(owner), body });
  expect(response.status).toBe(201);
  return roomResponseSchema.parse(response.body).room;
}

function join(user: TestUser, roomId: string, body?: unknown) {
  return call(server.app, 'POST', `/${roomId}/join`, { token: tokens.get(user), body });
}

function expectRefused(response: { status: number; body: { error: { code: string } } }, status: number, code: ErrorCode): void {
  expect(response.status).toBe(status);
  expect(response.body.error.code).toBe(code);
}

describe('POST /:id/join', () => {
  it('hands a member a ticket with exactly the join-ticket claims, verifiable against the served JWKS', async () => {
    const room = await createRoom({ name: 'Pairing', kind: 'coding', capacity: 3 });
    const before = Math.floor(Date.now() / 1000);
    const response = await join(member, room.id);
    expect(response.status).toBe(200);
    const body = joinRoomResponseSchema.parse(response.body);
    expect(body.ticketExpiresIn).toBe(60);
    expect(body.room).toMatchObject({ id: room.id, occupancy: { count: 0, capacity: 3 } });

    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(body.ticket, jwks, { algorithms: ['ES256'], issuer: 'meshcall-rooms', audience: 'meshcall-signaling' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(Object.keys(payload).sort()).toEqual(['aud', 'cap', 'exp', 'guest', 'iat', 'iss', 'jti', 'kind', 'name', 'role', 'room', 'sub', 'typ']);
    const claims = joinTicketClaimsSchema.parse(payload);
    expect(claims).toMatchObject({ iss: 'meshcall-rooms', aud: 'meshcall-signaling', sub: member.id, typ: 'join-ticket', room: room.id, name: 'Max', role: 'member', guest: false, cap: 3, kind: 'coding' });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp - claims.iat).toBe(60);
  });

  it('issues tickets that signaling accepts until they expire', async () => {
    const room = await createRoom({ name: 'Expiring', kind: 'language' });
    const { ticket } = joinRoomResponseSchema.parse((await join(member, room.id)).body);
    // Exactly how signaling verifies: the server-kit verifier pinned to rooms' issuer and signaling's audience.
    const signalingVerifier = createJwtVerifier({
      keys: `${server.url}/.well-known/jwks.json`,
      issuer: TokenIssuer.rooms,
      audience: TokenAudience.signaling,
      claims: joinTicketClaimsSchema,
      invalidCode: ErrorCode.TICKET_INVALID,
    });
    await expect(signalingVerifier.verify(ticket)).resolves.toMatchObject({ room: room.id, sub: member.id });
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { exp } = decodeJwt(ticket);
    await expect(jwtVerify(ticket, jwks, { currentDate: new Date((exp as number) * 1000 + 1_000) })).rejects.toBeInstanceOf(errors.JWTExpired);
  });

  it('gives the owner the owner role, and a game room ticket says game with 2 seats', async () => {
    const room = await createRoom({ name: 'Match', kind: 'game' });
    const claims = joinTicketClaimsSchema.parse(decodeJwt(joinRoomResponseSchema.parse((await join(owner, room.id)).body).ticket));
    expect(claims).toMatchObject({ role: 'owner', name: 'Olga', cap: 2, kind: 'game' });
  });

  it('serves the key it signs with, and every ticket has its own id', async () => {
    const room = await createRoom({ name: 'Keys', kind: 'coding' });
    const first = joinRoomResponseSchema.parse((await join(member, room.id)).body).ticket;
    const second = joinRoomResponseSchema.parse((await join(member, room.id)).body).ticket;
    const jwks = await call(server.app, 'GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: decodeProtectedHeader(first).kid });
    expect(jwks.body.keys[0].d).toBeUndefined();
    expect(decodeJwt(first).jti).not.toBe(decodeJwt(second).jti);
  });

  it('returns STUN and TURN over UDP, TCP and TLS with TURN REST credentials for the caller', async () => {
    const room = await createRoom({ name: 'Relay', kind: 'coding' });
    const before = Math.floor(Date.now() / 1000);
    const { iceServers } = joinRoomResponseSchema.parse((await join(member, room.id)).body);
    const after = Math.floor(Date.now() / 1000);
    expect(iceServers[0]).toEqual({ urls: ['stun:turn.test:3479'] });
    const turn = iceServers[1]!;
    expect(turn.urls).toEqual(['turn:turn.test:3479?transport=udp', 'turn:turn.test:3479?transport=tcp', 'turns:turn.test:5350?transport=tcp']);
    const [expiry, userId] = turn.username!.split(':');
    expect(userId).toBe(member.id);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
    expect(Number(expiry)).toBeLessThanOrEqual(after + 600);
    expect(turn.credential).toBe(createHmac('sha1', TEST_TURN_SECRET).update(turn.username!).digest('base64'));
    expect(JSON.stringify(iceServers)).not.toContain(TEST_TURN_SECRET);
  });

  it('hands out the default video upload budget next to the ICE servers', async () => {
    const room = await createRoom({ name: 'Budget', kind: 'coding' });
    expect(joinRoomResponseSchema.parse((await join(member, room.id)).body).videoUploadBudgetKbps).toBe(2_500);
  });

  it('admits into a private room the owner, allowed users and invite holders only', async () => {
    const room = await createRoom({ name: 'Private call', kind: 'business', visibility: 'private', allowedUsers: [member.id] });
    expectRefused(await join(stranger, room.id), 404, ErrorCode.NOT_FOUND);
    expectRefused(await join(stranger, room.id, { invite: 'WRONGwrong123456' }), 403, ErrorCode.FORBIDDEN);
    const invited = await join(stranger, room.id, { invite: room.inviteCode });
    expect(invited.status).toBe(200);
    expect(joinTicketClaimsSchema.parse(decodeJwt(invited.body.ticket)).role).toBe('member');
    expect(invited.body.room.inviteCode).toBeUndefined();
    // Invited but not yet accepted: still hidden.
    expectRefused(await join(member, room.id), 404, ErrorCode.NOT_FOUND);
    expect((await call(server.app, 'POST', `/${room.id}/invitation/accept`, { token: tokens.get(member) })).status).toBe(200);
    expect((await join(member, room.id)).status).toBe(200);
    expect((await join(owner, room.id)).status).toBe(200);
  });

  it('puts someone who came in by the invite code on the guest list: in their rooms, and in again without the code', async () => {
    const guest = newUser('Gus');
    tokens.set(guest, await auth.mint(guest));
    const room = await createRoom({ name: 'By the link', kind: 'learning', visibility: 'private' });
    const mine = async () => ((await call(server.app, 'GET', '/mine', { token: tokens.get(guest) })).body as { items: Room[] }).items.map((r) => r.id);
    expect(await mine()).not.toContain(room.id);
    expect((await join(guest, room.id, { invite: room.inviteCode })).status).toBe(200);
    expect(await mine()).toContain(room.id);
    expect((await join(guest, room.id)).status).toBe(200);
    // The owner sees the guest by name, and taking them off the list keeps them out again.
    const owned = (await call(server.app, 'GET', `/${room.id}`, { token: tokens.get(owner) })).body as { room: Room };
    expect(owned.room.allowedUsers).toContain(guest.id);
    expect((await call(server.app, 'PATCH', `/${room.id}`, { token: tokens.get(owner), body: { allowedUsers: [] } })).status).toBe(200);
    expect(await mine()).not.toContain(room.id);
    expect((await join(guest, room.id)).status).toBe(404);
  });

  it('refuses newcomers to a locked room (423) but lets the owner in', async () => {
    const room = await createRoom({ name: 'Locked', kind: 'coding' });
    await call(server.app, 'PATCH', `/${room.id}`, { token: tokens.get(owner), body: { locked: true } });
    expectRefused(await join(member, room.id), 423, ErrorCode.ROOM_LOCKED);
    expect((await join(owner, room.id)).status).toBe(200);
  });

  it('issues a ticket to knock with on a locked room, and one past the lock once the host admitted the account', async () => {
    const room = await createRoom({ name: 'Knock knock', kind: 'coding' });
    await redis.set(redisKeys.roomLocked(room.id), '1');
    expectRefused(await join(member, room.id), 423, ErrorCode.ROOM_LOCKED);
    expect((await join(member, room.id, { knock: true })).status).toBe(200);
    // Knocking does not get round a ban.
    await redis.hset(redisKeys.roomExcluded(room.id), stranger.id, JSON.stringify({ name: stranger.name, at: Date.now(), reason: 'kicked' }));
    expectRefused(await join(stranger, room.id, { knock: true }), 403, ErrorCode.BANNED);
    // Signaling's admission of this one account lets it through the lock, and nobody else.
    await redis.set(redisKeys.roomAdmitted(room.id, member.id), '1', 'PX', 60_000);
    expect((await join(member, room.id)).status).toBe(200);
    expectRefused(await join(stranger, room.id), 403, ErrorCode.BANNED);
    await redis.del(redisKeys.roomAdmitted(room.id, member.id));
    expectRefused(await join(member, room.id), 423, ErrorCode.ROOM_LOCKED);
  });

  it('honours a lock set by signaling in Redis alone', async () => {
    const room = await createRoom({ name: 'Locked in call', kind: 'coding' });
    await redis.set(redisKeys.roomLocked(room.id), '1');
    expectRefused(await join(member, room.id), 423, ErrorCode.ROOM_LOCKED);
    await redis.del(redisKeys.roomLocked(room.id));
    expect((await join(member, room.id)).status).toBe(200);
  });

  it('refuses a full room (409 ROOM_FULL), counting only live seat leases', async () => {
    const room = await createRoom({ name: 'Full', kind: 'coding', capacity: 2 });
    await takeSeats(redis, room.id, 3, Date.now() - 1); // expired leases do not count
    expect((await join(member, room.id)).status).toBe(200);
    await takeSeats(redis, room.id, 2);
    expectRefused(await join(member, room.id), 409, ErrorCode.ROOM_FULL);
    expectRefused(await join(owner, room.id), 409, ErrorCode.ROOM_FULL);
  });

  it('lets an account back into its own seat in a full or locked room (another tab, a reload), and nobody else', async () => {
    const room = await createRoom({ name: 'Full of us', kind: 'coding', capacity: 2 });
    const live = Date.now() + SEAT_LEASE_MS;
    await redis.zadd(redisKeys.roomSeats(room.id), live, 'peer-of-max', live, 'peer-of-olga', Date.now() - 1, 'lapsed-peer-of-sid');
    await redis.hset(redisKeys.roomPeers(room.id), {
      'peer-of-max': JSON.stringify({ peerId: 'peer-of-max', userId: member.id, name: member.name, role: 'member' }),
      'peer-of-olga': JSON.stringify({ peerId: 'peer-of-olga', userId: owner.id, name: owner.name, role: 'owner' }),
      'lapsed-peer-of-sid': JSON.stringify({ peerId: 'lapsed-peer-of-sid', userId: stranger.id, name: stranger.name, role: 'member' }),
    });
    expect((await join(member, room.id)).status).toBe(200);
    expect((await join(owner, room.id)).status).toBe(200);
    // A lapsed seat is nobody's to take back.
    expectRefused(await join(stranger, room.id), 409, ErrorCode.ROOM_FULL);

    await redis.set(redisKeys.roomLocked(room.id), '1');
    expect((await join(member, room.id)).status).toBe(200);
    expectRefused(await join(stranger, room.id), 423, ErrorCode.ROOM_LOCKED);
  });

  it('refuses a closed room (410), also when only the Redis close marker is there', async () => {
    const closed = await createRoom({ name: 'Closed', kind: 'coding' });
    await call(server.app, 'DELETE', `/${closed.id}`, { token: tokens.get(owner) });
    expectRefused(await join(member, closed.id), 410, ErrorCode.ROOM_CLOSED);
    const halfClosed = await createRoom({ name: 'Half closed', kind: 'coding' });
    await redis.set(redisKeys.roomClosed(halfClosed.id), '1');
    expectRefused(await join(member, halfClosed.id), 410, ErrorCode.ROOM_CLOSED);
  });

  it('answers 404 for an unknown room and 400 for a bad body', async () => {
    expectRefused(await join(member, 'NoSuchRoom1'), 404, ErrorCode.NOT_FOUND);
    const room = await createRoom({ name: 'Strict', kind: 'coding' });
    for (const body of [{ invite: 'x' }, { invite: { $ne: null } }, { role: 'owner' }]) {
      const response = await join(member, room.id, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.details.length).toBeGreaterThan(0);
    }
  });
});

describe('POST /:id/ice', () => {
  it('hands out fresh TURN credentials and their lifetime for a room the caller may join', async () => {
    const room = await createRoom({ name: 'Refreshing', kind: 'coding' });
    const response = await call(server.app, 'POST', `/${room.id}/ice`, { token: tokens.get(stranger) });
    expect(response.status).toBe(200);
    expect(response.body.ttl).toBe(600);
    const turn = response.body.iceServers[1];
    expect(turn.username).toMatch(new RegExp(`^\\d+:${stranger.id}$`));
    expect(turn.credential).toBe(createHmac('sha1', TEST_TURN_SECRET).update(turn.username).digest('base64'));
  });
});

describe('configuration', () => {
  it('uses TICKET_TTL and TURN_CREDENTIAL_TTL, and brackets an IPv6 TURN host', async () => {
    const custom = await startRoomsServer({
      database: 'rooms_join',
      authJwksUrl: auth.jwksUrl,
      env: { TICKET_TTL: '30', TURN_CREDENTIAL_TTL: '900', TURN_HOST: '::1', VIDEO_UPLOAD_BUDGET_KBPS: '1200' },
    });
    try {
      const room = roomResponseSchema.parse((await call(custom.app, 'POST', '/', { token: tokens.get(owner), body: { name: 'Custom', kind: 'coding' } })).body).room;
      const body = joinRoomResponseSchema.parse((await call(custom.app, 'POST', `/${room.id}/join`, { token: tokens.get(member) })).body);
      const claims = decodeJwt(body.ticket);
      expect(body.ticketExpiresIn).toBe(30);
      expect((claims.exp as number) - (claims.iat as number)).toBe(30);
      expect(body.iceServers[0]?.urls).toEqual(['stun:[::1]:3478']);
      expect(body.videoUploadBudgetKbps).toBe(1_200);
      const ice = await call(custom.app, 'POST', `/${room.id}/ice`, { token: tokens.get(member) });
      expect(ice.body.ttl).toBe(900);
    } finally {
      await custom.stop();
    }
  });

  it('refuses a video upload budget outside 300..50000 kbps, naming the variable', () => {
    const base = { PORT: '0', MONGO_URL: 'mongodb://127.0.0.1/x', REDIS_URL: 'redis://127.0.0.1', AUTH_JWKS_URL: 'http://127.0.0.1/jwks', TURN_SECRET: 'a-secret-of-16-chars' };
    expect(() => loadRoomsConfig({ ...base, VIDEO_UPLOAD_BUDGET_KBPS: '100' })).toThrow(/VIDEO_UPLOAD_BUDGET_KBPS/);
    expect(() => loadRoomsConfig({ ...base, VIDEO_UPLOAD_BUDGET_KBPS: 'fast' })).toThrow(/VIDEO_UPLOAD_BUDGET_KBPS/);
    expect(loadRoomsConfig(base).VIDEO_UPLOAD_BUDGET_KBPS).toBe(2_500);
  });
});
