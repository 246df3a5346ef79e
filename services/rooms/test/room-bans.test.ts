import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys, roomBansResponseSchema, roomResponseSchema, type Room } from '@meshcall/shared';
import { call } from './support/api.js';
import { newUser, startFakeAuth, type FakeAuth, type TestUser } from './support/fake-auth.js';
import { startRoomsServer, testRedis, type RoomsServer } from './support/rooms-server.js';

let auth: FakeAuth;
let server: RoomsServer;
let redis: Redis;
const owner = newUser('Olga');
const kicked = newUser('Kim');
const bystander = newUser('Bea');

beforeAll(async () => {
  auth = await startFakeAuth();
  server = await startRoomsServer({ database: 'rooms_bans', authJwksUrl: auth.jwksUrl });
  redis = testRedis();
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  await auth?.stop();
});

async function as(user: TestUser, method: 'GET' | 'POST' | 'DELETE', url: string) {
  return call(server.app, method, url, { token: await auth.mint(user) });
}

async function createRoom(): Promise<Room> {
  const response = await call(server.app, 'POST', '/', { token: await auth.mint(owner), body: { name: 'Moderated', kind: 'business' } });
  expect(response.status).toBe(201);
  return roomResponseSchema.parse(response.body).room;
}

/** What signaling's kick writes (release-seat script): the shared exclusion entry. */
async function kick(roomId: string, user: TestUser, at = Date.now()): Promise<void> {
  await redis.hset(redisKeys.roomExcluded(roomId), user.id, JSON.stringify({ name: user.name, at, reason: 'kicked' }));
}

describe('bans after a kick', () => {
  it('refuses a kicked account a fresh ticket (403 BANNED) until the owner lifts the ban', async () => {
    const room = await createRoom();
    expect((await as(kicked, 'POST', `/${room.id}/join`)).status).toBe(200);
    await kick(room.id, kicked);

    const refused = await as(kicked, 'POST', `/${room.id}/join`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('BANNED');
    // Nobody else is affected, and the owner is never kept out of their own room.
    expect((await as(bystander, 'POST', `/${room.id}/join`)).status).toBe(200);
    await kick(room.id, owner);
    expect((await as(owner, 'POST', `/${room.id}/join`)).status).toBe(200);
    await redis.hdel(redisKeys.roomExcluded(room.id), owner.id);

    expect((await as(kicked, 'DELETE', `/${room.id}/bans/${kicked.id}`)).status).toBe(403);
    expect((await as(owner, 'DELETE', `/${room.id}/bans/${kicked.id}`)).status).toBe(204);
    expect((await as(kicked, 'POST', `/${room.id}/join`)).status).toBe(200);
    // Lifting what is not there says so.
    const again = await as(owner, 'DELETE', `/${room.id}/bans/${kicked.id}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('NOT_FOUND');
  });

  it('shows the owner, and only the owner, who is banned, most recent first', async () => {
    const room = await createRoom();
    await kick(room.id, kicked, Date.parse('2026-12-01T10:00:00Z'));
    await kick(room.id, bystander, Date.parse('2026-12-01T11:00:00Z'));
    // An entry that is not ours to parse is skipped, not a 500.
    await redis.hset(redisKeys.roomExcluded(room.id), newUser('Junk').id, 'not json');

    const listed = await as(owner, 'GET', `/${room.id}/bans`);
    expect(listed.status).toBe(200);
    expect(roomBansResponseSchema.parse(listed.body).bans).toEqual([
      { userId: bystander.id, name: 'Bea', bannedAt: '2026-12-01T11:00:00.000Z', reason: 'kicked' },
      { userId: kicked.id, name: 'Kim', bannedAt: '2026-12-01T10:00:00.000Z', reason: 'kicked' },
    ]);
    expect((await as(bystander, 'GET', `/${room.id}/bans`)).status).toBe(403);
    expect((await as(owner, 'DELETE', `/${room.id}/bans/not-a-user-id`)).status).toBe(400);
  });
});
