import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisChannels, redisKeys, roomListResponseSchema, roomResponseSchema, type Room } from '@meshcall/shared';
import { call } from './support/api.js';
import { newUser, startFakeAuth, type FakeAuth } from './support/fake-auth.js';
import { startRoomsServer, takeSeats, testRedis, type RoomsServer } from './support/rooms-server.js';

let auth: FakeAuth;
let server: RoomsServer;
let redis: Redis;
const ada = newUser('Ada');
const bob = newUser('Bob');
const eve = newUser('Eve');
const tokens: Record<string, string> = {};

beforeAll(async () => {
  auth = await startFakeAuth();
  server = await startRoomsServer({ database: 'rooms_crud', authJwksUrl: auth.jwksUrl });
  redis = testRedis();
  for (const user of [ada, bob, eve]) tokens[user.name] = await auth.mint(user);
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  await auth?.stop();
});

async function createRoom(owner: string, body: Record<string, unknown>): Promise<Room> {
  const response = await call(server.app, 'POST', '/', { token: tokens[owner], body });
  expect(response.status).toBe(201);
  return roomResponseSchema.parse(response.body).room;
}

/** Messages published on a Redis channel while `action` runs (and shortly after). */
async function publishedDuring(channel: string, action: () => Promise<unknown>, expected: number): Promise<unknown[]> {
  const listener = testRedis();
  const messages: unknown[] = [];
  try {
    await listener.subscribe(channel);
    const received = new Promise<void>((resolve) => {
      listener.on('message', (_channel, message) => {
        messages.push(JSON.parse(message));
        if (messages.length >= expected) resolve();
      });
    });
    await action();
    await Promise.race([received, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    return messages;
  } finally {
    listener.disconnect();
  }
}

describe('POST / (create)', () => {
  it('creates a public room owned by the caller, named from the token', async () => {
    const response = await call(server.app, 'POST', '/', { token: tokens.Ada, body: { name: 'Friday chess', kind: 'learning', capacity: 6 } });
    expect(response.status).toBe(201);
    const { room } = roomResponseSchema.parse(response.body);
    expect(room).toMatchObject({
      name: 'Friday chess',
      kind: 'learning',
      visibility: 'public',
      capacity: 6,
      ownerId: ada.id,
      ownerName: 'Ada',
      locked: false,
      occupancy: { count: 0, capacity: 6 },
      closedAt: null,
      allowedUsers: [],
    });
    expect(room.id).toMatch(/^[A-Za-z0-9_-]{10}$/);
    expect(room.inviteCode).toBeUndefined();
  });

  it('gives game rooms two seats whatever is asked', async () => {
    const room = await createRoom('Ada', { name: 'Tic-tac-toe', kind: 'game', capacity: 8 });
    expect(room.capacity).toBe(2);
    expect(room.occupancy).toEqual({ count: 0, capacity: 2 });
  });

  it('gives a private room an invite code and keeps the allowed users, without the owner or duplicates', async () => {
    const room = await createRoom('Ada', { name: 'Standup', kind: 'business', visibility: 'private', allowedUsers: [bob.id, bob.id, ada.id] });
    expect(room.visibility).toBe('private');
    expect(room.inviteCode).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(room.allowedUsers).toEqual([bob.id]);
    expect(room.capacity).toBe(4);
  });

  it.each([
    ['an empty name', { name: '   ', kind: 'coding' }, 'body.name'],
    ['a name over 80 characters', { name: 'x'.repeat(81), kind: 'coding' }, 'body.name'],
    ['an unknown kind', { name: 'Room', kind: 'party' }, 'body.kind'],
    ['capacity 9', { name: 'Room', kind: 'coding', capacity: 9 }, 'body.capacity'],
    ['capacity 1', { name: 'Room', kind: 'coding', capacity: 1 }, 'body.capacity'],
    ['a malformed allowed user', { name: 'Room', kind: 'coding', allowedUsers: ['not-an-id'] }, 'body.allowedUsers.0'],
    ['an operator object as name', { name: { $gt: '' }, kind: 'coding' }, 'body.name'],
    ['an unknown field', { name: 'Room', kind: 'coding', ownerId: bob.id }, 'body'],
  ])('refuses %s with 400 and details', async (_case, body, path) => {
    const response = await call(server.app, 'POST', '/', { token: tokens.Ada, body });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_PAYLOAD');
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('refuses a body that is not JSON', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/',
      headers: { authorization: `Bearer ${tokens.Ada}`, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('INVALID_PAYLOAD');
  });
});

describe('GET /:id', () => {
  it('shows a public room to anyone signed in, without owner-only fields', async () => {
    const created = await createRoom('Ada', { name: 'Open coding', kind: 'coding' });
    const response = await call(server.app, 'GET', `/${created.id}`, { token: tokens.Bob });
    expect(response.status).toBe(200);
    expect(response.body.room).toMatchObject({ id: created.id, name: 'Open coding', ownerName: 'Ada' });
    expect(response.body.room.allowedUsers).toBeUndefined();
  });

  it('shows live occupancy and lock state from Redis', async () => {
    const created = await createRoom('Ada', { name: 'Busy room', kind: 'coding', capacity: 5 });
    await takeSeats(redis, created.id, 3);
    await takeSeats(redis, created.id, 2, Date.now() - 1_000); // leases that ran out are free seats
    await redis.set(redisKeys.roomLocked(created.id), '1');
    const response = await call(server.app, 'GET', `/${created.id}`, { token: tokens.Bob });
    expect(response.body.room.occupancy).toEqual({ count: 3, capacity: 5 });
    expect(response.body.room.locked).toBe(true);
  });

  it('hides a private room from outsiders (404), shows it to the owner, allowed users and invite holders', async () => {
    const created = await createRoom('Ada', { name: 'Secret plans', kind: 'business', visibility: 'private', allowedUsers: [bob.id] });

    const outsider = await call(server.app, 'GET', `/${created.id}`, { token: tokens.Eve });
    expect(outsider.status).toBe(404);
    expect(outsider.body.error.code).toBe('NOT_FOUND');
    expect(JSON.stringify(outsider.body)).not.toContain('Secret plans');

    const owner = await call(server.app, 'GET', `/${created.id}`, { token: tokens.Ada });
    expect(owner.status).toBe(200);
    expect(owner.body.room.inviteCode).toBe(created.inviteCode);
    expect(owner.body.room.allowedUsers).toEqual([bob.id]);

    // Bob's invitation is pending: it shows him nothing until he accepts it.
    expect((await call(server.app, 'GET', `/${created.id}`, { token: tokens.Bob })).status).toBe(404);
    expect((await call(server.app, 'POST', `/${created.id}/invitation/accept`, { token: tokens.Bob })).status).toBe(200);
    const allowed = await call(server.app, 'GET', `/${created.id}`, { token: tokens.Bob });
    expect(allowed.status).toBe(200);
    expect(allowed.body.room.inviteCode).toBeUndefined();

    const invited = await call(server.app, 'GET', `/${created.id}?invite=${created.inviteCode}`, { token: tokens.Eve });
    expect(invited.status).toBe(200);
    expect(invited.body.room).toMatchObject({ id: created.id, name: 'Secret plans' });
    expect(invited.body.room.inviteCode).toBeUndefined();
    expect(invited.body.room.allowedUsers).toBeUndefined();

    const wrongInvite = await call(server.app, 'GET', `/${created.id}?invite=WRONGwrong123456`, { token: tokens.Eve });
    expect(wrongInvite.status).toBe(403);
    expect(wrongInvite.body.error.code).toBe('FORBIDDEN');
  });

  it('answers 404 for an unknown room and 400 for a malformed id or query', async () => {
    expect((await call(server.app, 'GET', '/NoSuchRoom1', { token: tokens.Ada })).status).toBe(404);
    const malformed = await call(server.app, 'GET', '/bad!id', { token: tokens.Ada });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].path).toBe('params.id');
    expect((await call(server.app, 'GET', '/abcdefgh?invite[$ne]=x', { token: tokens.Ada })).status).toBe(400);
  });
});

describe('PATCH /:id', () => {
  it('lets the owner rename, resize and change the guest list', async () => {
    const created = await createRoom('Ada', { name: 'Old name', kind: 'language', capacity: 4, visibility: 'private' });
    const response = await call(server.app, 'PATCH', `/${created.id}`, { token: tokens.Ada, body: { name: 'New name', capacity: 6, allowedUsers: [eve.id] } });
    expect(response.status).toBe(200);
    expect(response.body.room).toMatchObject({ name: 'New name', capacity: 6, allowedUsers: [eve.id], occupancy: { count: 0, capacity: 6 } });
    expect(Date.parse(response.body.room.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    expect(response.body.room.invitations).toEqual([{ userId: eve.id, status: 'pending' }]);
    // Eve is invited; once she accepts she sees it without an invite code.
    expect((await call(server.app, 'GET', `/${created.id}`, { token: tokens.Eve })).status).toBe(404);
    expect((await call(server.app, 'POST', `/${created.id}/invitation/accept`, { token: tokens.Eve })).status).toBe(200);
    expect((await call(server.app, 'GET', `/${created.id}`, { token: tokens.Eve })).status).toBe(200);
  });

  it('writes the lock to Redis for signaling and publishes it on room events', async () => {
    const created = await createRoom('Ada', { name: 'Lockable', kind: 'coding' });
    const messages = await publishedDuring(
      redisChannels.roomEvents,
      async () => {
        const response = await call(server.app, 'PATCH', `/${created.id}`, { token: tokens.Ada, body: { locked: true } });
        expect(response.status).toBe(200);
        expect(response.body.room.locked).toBe(true);
      },
      1,
    );
    expect(messages).toContainEqual({ type: 'locked', roomId: created.id, locked: true });
    expect(await redis.get(redisKeys.roomLocked(created.id))).toBe('1');

    await call(server.app, 'PATCH', `/${created.id}`, { token: tokens.Ada, body: { locked: false } });
    expect(await redis.exists(redisKeys.roomLocked(created.id))).toBe(0);
  });

  it('publishes a capacity change for signaling', async () => {
    const created = await createRoom('Ada', { name: 'Resizable', kind: 'coding', capacity: 4 });
    const messages = await publishedDuring(
      redisChannels.roomEvents,
      () => call(server.app, 'PATCH', `/${created.id}`, { token: tokens.Ada, body: { capacity: 3 } }),
      1,
    );
    expect(messages).toContainEqual({ type: 'capacity', roomId: created.id, capacity: 3 });
  });

  it('refuses a capacity below the live occupancy with 409 CONFLICT', async () => {
    const created = await createRoom('Ada', { name: 'Crowded', kind: 'coding', capacity: 6 });
    await takeSeats(redis, created.id, 4);
    const response = await call(server.app, 'PATCH', `/${created.id}`, { token: tokens.Ada, body: { capacity: 3 } });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('CONFLICT');
    expect((await call(server.app, 'PATCH', `/${created.id}`, { token: tokens.Ada, body: { capacity: 4 } })).status).toBe(200);
  });

  it('refuses another capacity for a game room', async () => {
    const created = await createRoom('Ada', { name: 'Game', kind: 'game' });
    const response = await call(server.app, 'PATCH', `/${created.id}`, { token: tokens.Ada, body: { capacity: 4 } });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([{ path: 'body.capacity', message: 'must be 2 for a game room' }]);
  });

  it('is owner-only: 403 for someone who can see the room, 404 for someone who cannot', async () => {
    const open = await createRoom('Ada', { name: 'Mine only', kind: 'coding' });
    const response = await call(server.app, 'PATCH', `/${open.id}`, { token: tokens.Bob, body: { name: 'Taken over' } });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('FORBIDDEN');
    const hidden = await createRoom('Ada', { name: 'Hidden', kind: 'coding', visibility: 'private' });
    expect((await call(server.app, 'PATCH', `/${hidden.id}`, { token: tokens.Bob, body: { name: 'x' } })).status).toBe(404);
    expect((await call(server.app, 'GET', `/${open.id}`, { token: tokens.Ada })).body.room.name).toBe('Mine only');
  });

  it('validates the body: at least one field, no unknown or operator fields', async () => {
    const created = await createRoom('Ada', { name: 'Validated', kind: 'coding' });
    for (const body of [{}, { visibility: 'private' }, { name: { $set: 'x' } }, { locked: 'yes' }, { capacity: 2.5 }]) {
      const response = await call(server.app, 'PATCH', `/${created.id}`, { token: tokens.Ada, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.details.length).toBeGreaterThan(0);
    }
  });
});

describe('POST /:id/invite', () => {
  it('replaces the invite code so the old link stops working', async () => {
    const created = await createRoom('Ada', { name: 'Invite only', kind: 'business', visibility: 'private' });
    const response = await call(server.app, 'POST', `/${created.id}/invite`, { token: tokens.Ada });
    expect(response.status).toBe(200);
    const newCode = response.body.room.inviteCode as string;
    expect(newCode).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(newCode).not.toBe(created.inviteCode);
    expect((await call(server.app, 'GET', `/${created.id}?invite=${created.inviteCode}`, { token: tokens.Eve })).status).toBe(403);
    expect((await call(server.app, 'GET', `/${created.id}?invite=${newCode}`, { token: tokens.Eve })).status).toBe(200);
  });

  it('is owner-only, and public rooms have no invite (409)', async () => {
    const hidden = await createRoom('Ada', { name: 'Private', kind: 'business', visibility: 'private', allowedUsers: [bob.id] });
    expect((await call(server.app, 'POST', `/${hidden.id}/invitation/accept`, { token: tokens.Bob })).status).toBe(200);
    expect((await call(server.app, 'POST', `/${hidden.id}/invite`, { token: tokens.Bob })).status).toBe(403);
    const open = await createRoom('Ada', { name: 'Public', kind: 'business' });
    const response = await call(server.app, 'POST', `/${open.id}/invite`, { token: tokens.Ada });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('CONFLICT');
  });
});

describe('DELETE /:id (close)', () => {
  it('closes the room: marks it in Redis, publishes "closed" for signaling, and it is gone (410)', async () => {
    const created = await createRoom('Ada', { name: 'Closing time', kind: 'coding' });
    const messages = await publishedDuring(
      redisChannels.roomEvents,
      async () => expect((await call(server.app, 'DELETE', `/${created.id}`, { token: tokens.Ada })).status).toBe(204),
      1,
    );
    expect(messages).toEqual([{ type: 'closed', roomId: created.id }]);
    expect(await redis.exists(redisKeys.roomClosed(created.id))).toBe(1);

    const afterwards = await call(server.app, 'GET', `/${created.id}`, { token: tokens.Bob });
    expect(afterwards.status).toBe(410);
    expect(afterwards.body.error.code).toBe('ROOM_CLOSED');
    expect((await call(server.app, 'PATCH', `/${created.id}`, { token: tokens.Ada, body: { name: 'x' } })).status).toBe(410);
    expect((await call(server.app, 'DELETE', `/${created.id}`, { token: tokens.Ada })).status).toBe(410);
  });

  it('is owner-only', async () => {
    const created = await createRoom('Ada', { name: 'Not yours', kind: 'coding' });
    const response = await call(server.app, 'DELETE', `/${created.id}`, { token: tokens.Bob });
    expect(response.status).toBe(403);
    expect(await redis.exists(redisKeys.roomClosed(created.id))).toBe(0);
    expect((await call(server.app, 'GET', `/${created.id}`, { token: tokens.Bob })).status).toBe(200);
  });
});

describe('GET /mine', () => {
  it('lists open rooms I own or am allowed in, newest first, and nothing else', async () => {
    const carol = newUser('Carol');
    const dave = newUser('Dave');
    tokens.Carol = await auth.mint(carol);
    tokens.Dave = await auth.mint(dave);
    const owned = await createRoom('Carol', { name: 'Carol owns', kind: 'coding', visibility: 'private' });
    const invitedTo = await createRoom('Dave', { name: 'Dave invites Carol', kind: 'coding', visibility: 'private', allowedUsers: [carol.id] });
    await createRoom('Dave', { name: 'Dave alone', kind: 'coding' });
    const closed = await createRoom('Carol', { name: 'Carol closed', kind: 'coding' });
    await call(server.app, 'DELETE', `/${closed.id}`, { token: tokens.Carol });

    const response = await call(server.app, 'GET', '/mine', { token: tokens.Carol });
    expect(response.status).toBe(200);
    const list = roomListResponseSchema.parse(response.body);
    expect(list.items.map((room) => room.id)).toEqual([invitedTo.id, owned.id]);
    expect(list.total).toBe(2);
    // Owner-only fields only on the room Carol owns.
    expect(list.items[1]?.inviteCode).toBe(owned.inviteCode);
    expect(list.items[0]?.inviteCode).toBeUndefined();

    const paged = await call(server.app, 'GET', '/mine?page=2&pageSize=1', { token: tokens.Carol });
    expect(paged.body.items.map((room: Room) => room.id)).toEqual([owned.id]);
    expect((await call(server.app, 'GET', '/mine?sort=newest', { token: tokens.Carol })).status).toBe(400);
  });
});
