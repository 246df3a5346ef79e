import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './support/api.js';
import { newUser, startFakeAuth, type FakeAuth, type TestUser } from './support/fake-auth.js';
import { startRoomsServer, type RoomsServer } from './support/rooms-server.js';

let auth: FakeAuth;
let server: RoomsServer;
let second: RoomsServer;

beforeAll(async () => {
  auth = await startFakeAuth();
  // Two replicas of one deployment: the limits are counted in Redis, so they agree.
  const env = { ROOMS_PER_ACCOUNT: '4', ROOM_CREATE_RATE_LIMIT: '6', ROOM_CREATE_RATE_WINDOW: '3600', INVITE_ROTATIONS_PER_MINUTE: '3' };
  server = await startRoomsServer({ database: 'rooms_limits', authJwksUrl: auth.jwksUrl, env });
  second = await startRoomsServer({ database: 'rooms_limits', authJwksUrl: auth.jwksUrl, env, dataDir: server.config.DATA_DIR });
});

afterAll(async () => {
  await second?.stop();
  await server?.stop();
  await auth?.stop();
});

async function create(user: TestUser, target: RoomsServer, name = 'Room') {
  return call(target.app, 'POST', '/', { token: await auth.mint(user), body: { name, kind: 'business' } });
}

describe('room creation limits per account', () => {
  it('refuses a room beyond the quota with 403 ROOM_QUOTA_REACHED, even under a concurrent burst on two replicas', async () => {
    const greedy = newUser('Greedy');
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => create(greedy, i % 2 === 0 ? server : second, `burst ${i}`)));
    const created = answers.filter((answer) => answer.status === 201);
    // Concurrent creations may be refused early, never admitted beyond the quota.
    expect(created.length).toBeLessThanOrEqual(4);
    expect(created.length).toBeGreaterThan(0);
    for (const refused of answers.filter((answer) => answer.status !== 201)) {
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('ROOM_QUOTA_REACHED');
    }
    const mine = await call(server.app, 'GET', '/mine', { token: await auth.mint(greedy) });
    expect(mine.body.total).toBe(created.length);
  });

  it('counts only open rooms: closing one makes room for the next', async () => {
    const owner = newUser('Owner');
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const answer = await create(owner, server, `room ${i}`);
      expect(answer.status).toBe(201);
      ids.push(answer.body.room.id);
    }
    const refused = await create(owner, second);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'ROOM_QUOTA_REACHED', message: expect.stringContaining('4 open rooms') });

    expect((await call(server.app, 'DELETE', `/${ids[0]}`, { token: await auth.mint(owner) })).status).toBe(204);
    expect((await create(owner, second)).status).toBe(201);
  });

  it('limits the creation rate with 429 RATE_LIMITED and Retry-After, across replicas, per account', async () => {
    const hasty = newUser('Hasty');
    // The quota of 4 open rooms would stop this first: close each room right away.
    for (let i = 0; i < 6; i += 1) {
      const answer = await create(hasty, i % 2 === 0 ? server : second);
      expect(answer.status).toBe(201);
      expect((await call(server.app, 'DELETE', `/${answer.body.room.id}`, { token: await auth.mint(hasty) })).status).toBe(204);
    }
    const limited = await create(hasty, second);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // Another account is not affected.
    expect((await create(newUser('Patient'), server)).status).toBe(201);
  });

  it('limits new invite codes per account with 429 RATE_LIMITED and Retry-After, across replicas; the last good code stays', async () => {
    const owner = newUser('Rotator');
    const token = await auth.mint(owner);
    const room = (await call(server.app, 'POST', '/', { token, body: { name: 'Secret', kind: 'business', visibility: 'private' } })).body.room;
    let code = room.inviteCode as string;
    for (let i = 0; i < 3; i += 1) {
      const answer = await call(i % 2 === 0 ? server.app : second.app, 'POST', `/${room.id}/invite`, { token });
      expect(answer.status).toBe(200);
      code = answer.body.room.inviteCode;
    }
    const limited = await call(second.app, 'POST', `/${room.id}/invite`, { token });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(limited.body.error.message).toMatch(/new invite link 3 times every 1 minute/);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const still = await call(server.app, 'GET', `/${room.id}?invite=${code}`, { token: await auth.mint(newUser('Guest')) });
    expect(still.status).toBe(200);
  });

  it('refuses limits that make no sense at boot, naming the variable', async () => {
    await expect(
      startRoomsServer({ database: 'rooms_limits', authJwksUrl: auth.jwksUrl, env: { ROOMS_PER_ACCOUNT: '0', ROOM_CREATE_RATE_WINDOW: 'soon' } }),
    ).rejects.toThrow(/ROOMS_PER_ACCOUNT[\s\S]*ROOM_CREATE_RATE_WINDOW|ROOM_CREATE_RATE_WINDOW[\s\S]*ROOMS_PER_ACCOUNT/);
  });
});
