import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, iceServersResponseSchema, joinRoomResponseSchema, roomResponseSchema, type Room } from '@meshcall/shared';
import { TURN_MAX_ALLOCATE_LIFETIME_SECONDS, loadRoomsConfig } from '../src/config.js';
import { LiveRoomStore } from '../src/repositories/live-room-store.js';
import { call } from './support/api.js';
import { newUser, startFakeAuth, type FakeAuth, type TestUser } from './support/fake-auth.js';
import { startRoomsServer, testRedis, type RoomsServer } from './support/rooms-server.js';

/*
 * Issue 19: TURN credentials came from a free endpoint, so four accounts could hold every relay
 * port. They now come only with a join or a refresh for a room, within bounds per user and per
 * room counted in Redis.
 */

let auth: FakeAuth;
let server: RoomsServer;
const owner = newUser('Oda');
const tokens = new Map<TestUser, string>();

/** Small bounds so the test reaches them: 3 grants per user, 2 per seat, per window. */
const PER_USER = 3;
const PER_SEAT = 2;

async function tokenOf(user: TestUser): Promise<string> {
  let token = tokens.get(user);
  if (!token) {
    token = await auth.mint(user);
    tokens.set(user, token);
  }
  return token;
}

async function createRoom(body: Record<string, unknown>): Promise<Room> {
  const response = await call(server.app, 'POST', '/', { token: await tokenOf(owner), body });
  expect(response.status).toBe(201);
  return roomResponseSchema.parse(response.body).room;
}

async function join(user: TestUser, roomId: string) {
  return call(server.app, 'POST', `/${roomId}/join`, { token: await tokenOf(user) });
}

async function refresh(user: TestUser, roomId: string, invite?: string) {
  const query = invite ? `?invite=${encodeURIComponent(invite)}` : '';
  return call(server.app, 'POST', `/${roomId}/ice${query}`, { token: await tokenOf(user) });
}

beforeAll(async () => {
  auth = await startFakeAuth();
  server = await startRoomsServer({
    database: 'rooms_turn_grants',
    authJwksUrl: auth.jwksUrl,
    env: { TURN_GRANTS_PER_USER: String(PER_USER), TURN_GRANTS_PER_SEAT: String(PER_SEAT) },
  });
});

afterAll(async () => {
  await server?.stop();
  await auth?.stop();
});

describe('TURN credentials only with a room', () => {
  it('no longer hands them out at the free GET /ice', async () => {
    const response = await call(server.app, 'GET', '/ice', { token: await tokenOf(newUser('Free')) });
    // The path now reads as GET /:id with an id that cannot be one.
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).not.toContain('credential');
  });

  it('refreshes them for a room the caller may join, for that caller', async () => {
    const room = await createRoom({ name: 'Refresh', kind: 'coding', capacity: 8 });
    const user = newUser('Rita');
    const response = await refresh(user, room.id);
    expect(response.status).toBe(200);
    const { iceServers, ttl } = iceServersResponseSchema.parse(response.body);
    expect(ttl).toBe(600);
    expect(iceServers[1]?.username).toMatch(new RegExp(`^\\d+:${user.id}$`));
  });

  it('refuses a private room the caller may not see, and takes the invite code', async () => {
    const room = await createRoom({ name: 'Private', kind: 'coding', visibility: 'private', capacity: 8 });
    const outsider = newUser('Otto');
    const refused = await refresh(outsider, room.id);
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe(ErrorCode.NOT_FOUND);
    expect(JSON.stringify(refused.body)).not.toContain('credential');
    expect((await refresh(outsider, room.id, room.inviteCode ?? undefined)).status).toBe(200);
  });

  it('refuses someone the room keeps out, as join does', async () => {
    const room = await createRoom({ name: 'Kicked', kind: 'coding', capacity: 8 });
    const kicked = newUser('Kim');
    expect((await refresh(kicked, room.id)).status).toBe(200);
    const redis = testRedis();
    try {
      await new LiveRoomStore(redis).exclude(room.id, kicked.id, { name: kicked.name, at: Date.now(), reason: 'kicked' });
    } finally {
      redis.disconnect();
    }
    const refused = await refresh(kicked, room.id);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe(ErrorCode.BANNED);
  });

  it('refuses a closed room', async () => {
    const room = await createRoom({ name: 'Closing', kind: 'coding', capacity: 8 });
    expect((await call(server.app, 'DELETE', `/${room.id}`, { token: await tokenOf(owner) })).status).toBe(204);
    const response = await refresh(newUser('Late'), room.id);
    expect(response.status).toBe(410);
    expect(response.body.error.code).toBe(ErrorCode.ROOM_CLOSED);
  });
});

describe('bounds on TURN credentials', () => {
  it(`gives one user at most ${PER_USER} per window, joins and refreshes together, then 429`, async () => {
    const roomA = await createRoom({ name: 'Bound A', kind: 'coding', capacity: 8 });
    const roomB = await createRoom({ name: 'Bound B', kind: 'coding', capacity: 8 });
    const greedy = newUser('Greedy');
    expect((await join(greedy, roomA.id)).status).toBe(200);
    expect((await refresh(greedy, roomA.id)).status).toBe(200);
    // Across rooms: the bound is the user's, whichever room they ask in.
    expect((await refresh(greedy, roomB.id)).status).toBe(200);

    const refused = await refresh(greedy, roomB.id);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe(ErrorCode.RATE_LIMITED);
    // The window is the credential lifetime (600 s); Retry-After says when it ends.
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    // A join is refused too, rather than handing out credentials past the bound.
    const joinRefused = await join(greedy, roomA.id);
    expect(joinRefused.status).toBe(429);
    expect(joinRefused.body.error.code).toBe(ErrorCode.RATE_LIMITED);
    expect(Number(joinRefused.headers['retry-after'])).toBeGreaterThan(0);
    expect(joinRefused.body).not.toHaveProperty('ticket');

    // Someone else in the same room is not affected.
    expect((await join(newUser('Patient'), roomA.id)).status).toBe(200);
  });

  it(`gives one room at most ${PER_SEAT} per seat of its capacity per window, whoever asks`, async () => {
    const room = await createRoom({ name: 'Two seats', kind: 'coding', capacity: 2 });
    for (let index = 0; index < PER_SEAT * 2; index += 1) {
      const response = await join(newUser(`Guest ${index}`), room.id);
      expect(response.status, `grant ${index + 1}`).toBe(200);
      joinRoomResponseSchema.parse(response.body);
    }
    const refused = await join(newUser('One too many'), room.id);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe(ErrorCode.RATE_LIMITED);
    expect((await refresh(newUser('Also too many'), room.id)).status).toBe(429);
    // Another room still hands them out.
    const other = await createRoom({ name: 'Elsewhere', kind: 'coding', capacity: 2 });
    expect((await join(newUser('Elsewhere guest'), other.id)).status).toBe(200);
  });
});

describe('credential lifetime', () => {
  it("refuses a TURN_CREDENTIAL_TTL shorter than coturn's max-allocate-lifetime, so no allocation outlives its credentials", () => {
    const base = { PORT: '0', MONGO_URL: 'mongodb://127.0.0.1/x', REDIS_URL: 'redis://127.0.0.1', AUTH_JWKS_URL: 'http://127.0.0.1/jwks', TURN_SECRET: 'a-secret-of-16-chars' };
    expect(() => loadRoomsConfig({ ...base, TURN_CREDENTIAL_TTL: '120' })).toThrow(/TURN_CREDENTIAL_TTL.*max-allocate-lifetime/s);
    expect(loadRoomsConfig({ ...base, TURN_CREDENTIAL_TTL: '600' }).TURN_CREDENTIAL_TTL).toBe(600);
  });

  it('knows the max-allocate-lifetime the production coturn config sets', () => {
    const config = readFileSync(new URL('../../../infra/coturn/turnserver.conf', import.meta.url), 'utf8');
    expect(Number(/^max-allocate-lifetime=(\d+)$/m.exec(config)?.[1])).toBe(TURN_MAX_ALLOCATE_LIFETIME_SECONDS);
  });
});
