import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redisChannels, roomPageResponseSchema, roomResponseSchema, type Room, type RoomPageResponse } from '@meshcall/shared';
import { LobbyReadModel } from '../src/repositories/lobby-read-model.js';
import type { RoomRecord, RoomRepository } from '../src/repositories/room-record.js';
import { call } from './support/api.js';
import { newUser, startFakeAuth, type FakeAuth } from './support/fake-auth.js';
import { startRoomsServer, takeSeats, testRedis, type RoomsServer } from './support/rooms-server.js';

const DATABASE = 'rooms_list';
let auth: FakeAuth;
let server: RoomsServer;
let redis: Redis;
const owner = newUser('Olga');
const visitor = newUser('Vic');
let ownerToken: string;
let visitorToken: string;
const rooms: Record<string, Room> = {};

async function create(key: string, body: Record<string, unknown>): Promise<void> {
  const response = await call(server.app, 'POST', '/', { token: ownerToken, body });
  expect(response.status).toBe(201);
  rooms[key] = roomResponseSchema.parse(response.body).room;
  // Distinct creation times, so "newest first" has exactly one right answer.
  await sleep(5);
}

async function list(query: string, token = visitorToken): Promise<RoomPageResponse> {
  const response = await call(server.app, 'GET', `/${query}`, { token });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return roomPageResponseSchema.parse(response.body);
}

/** Every page of a query, following nextCursor to the end. */
async function listAll(query: string): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const separator = query ? '&' : '';
    const answer = await list(`?${query}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ''}`);
    seen.push(...answer.items.map((room) => room.id));
    cursor = answer.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error('the cursor never ended');
}

/** Signaling announces every seat change like this (services/signaling room-script settle_room). */
async function announceOccupancy(room: Room, count: number): Promise<void> {
  await redis.publish(redisChannels.occupancy, JSON.stringify({ roomId: room.id, occupancy: { count, capacity: room.capacity } }));
}

const ids = (...keys: string[]) => keys.map((key) => rooms[key]?.id);

beforeAll(async () => {
  auth = await startFakeAuth();
  server = await startRoomsServer({ database: DATABASE, authJwksUrl: auth.jwksUrl });
  redis = testRedis();
  ownerToken = await auth.mint(owner);
  visitorToken = await auth.mint(visitor);
  await create('standup', { name: 'Morning Standup', kind: 'business' });
  await create('advanced', { name: 'Chess (Advanced) club', kind: 'learning' });
  await create('literal', { name: 'a.c literal', kind: 'coding' });
  await create('abc', { name: 'abc', kind: 'coding' });
  await create('secret', { name: 'Secret chess', kind: 'learning', visibility: 'private' });
  await create('closed', { name: 'Closed chess', kind: 'learning' });
  await create('game', { name: 'Game night', kind: 'game' });
  await create('kids', { name: 'CHESS for kids', kind: 'learning' });
  expect((await call(server.app, 'DELETE', `/${rooms.closed?.id}`, { token: ownerToken })).status).toBe(204);
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  await auth?.stop();
});

describe('GET / (public list)', () => {
  it('lists open public rooms newest first, never private or closed ones', async () => {
    const page = await list('');
    expect(page.items.map((room) => room.id)).toEqual(ids('kids', 'game', 'abc', 'literal', 'advanced', 'standup'));
    expect(page).toMatchObject({ nextCursor: null, total: 6, totalIsLowerBound: false });
    // Not even to their owner: private rooms are in /mine.
    expect((await list('', ownerToken)).items.map((room) => room.id)).not.toContain(rooms.secret?.id);
  });

  it('searches the start of words, case- and accent-insensitively, without private or closed rooms', async () => {
    expect((await list('?q=chess')).items.map((room) => room.id)).toEqual(ids('kids', 'advanced'));
    expect((await list('?q=CHÈS')).total).toBe(2);
    expect((await list(`?q=${encodeURIComponent('chess club')}`)).items.map((room) => room.id)).toEqual(ids('advanced'));
    // The middle of a word is not the start of one.
    expect((await list('?q=hess')).total).toBe(0);
    expect((await list('?q=Secret')).total).toBe(0);
    expect((await list(`?q=${encodeURIComponent('Secret chess')}`)).items).toEqual([]);
  });

  it('treats punctuation as a word boundary, and a search without letters or digits matches nothing', async () => {
    expect((await list(`?q=${encodeURIComponent('(Advanced)')}`)).items.map((room) => room.id)).toEqual(ids('advanced'));
    // "a.c" is the words "a" and "c": "a.c literal", and "Chess (Advanced) club" too.
    expect((await list(`?q=${encodeURIComponent('a.c')}`)).items.map((room) => room.id)).toEqual(ids('literal', 'advanced'));
    for (const query of ['.*', '[', '\\']) {
      expect(await list(`?q=${encodeURIComponent(query)}`)).toEqual({ items: [], nextCursor: null, total: 0, totalIsLowerBound: false });
    }
  });

  it('filters by kind, alone and with a search', async () => {
    expect((await list('?kind=learning')).items.map((room) => room.id)).toEqual(ids('kids', 'advanced'));
    expect((await list('?kind=learning&q=kids')).items.map((room) => room.id)).toEqual(ids('kids'));
    expect((await list('?kind=learning&q=ch')).total).toBe(2);
    expect((await list('?kind=language')).items).toEqual([]);
  });

  it('goes on page by page with the cursor, each room once, to the end', async () => {
    const first = await list('?pageSize=4');
    expect(first.items.map((room) => room.id)).toEqual(ids('kids', 'game', 'abc', 'literal'));
    expect(first.total).toBe(6);
    const second = await list(`?pageSize=4&cursor=${first.nextCursor}`);
    expect(second.items.map((room) => room.id)).toEqual(ids('advanced', 'standup'));
    expect(second.nextCursor).toBeNull();
    expect(await listAll('pageSize=1')).toEqual(ids('kids', 'game', 'abc', 'literal', 'advanced', 'standup'));
    expect(await listAll('pageSize=1&q=chess')).toEqual(ids('kids', 'advanced'));
  });

  it('sorts by live occupancy, busiest first, newest first among equals, and pages on', async () => {
    await takeSeats(redis, rooms.abc!.id, 3);
    await takeSeats(redis, rooms.game!.id, 2);
    await takeSeats(redis, rooms.standup!.id, 1);
    await takeSeats(redis, rooms.kids!.id, 4, Date.now() - 1); // leases ran out: nobody is there
    await announceOccupancy(rooms.abc!, 3);
    await announceOccupancy(rooms.game!, 2);
    await announceOccupancy(rooms.standup!, 1);
    await announceOccupancy(rooms.kids!, 0);
    // A private room's occupancy never puts it in the list.
    await announceOccupancy(rooms.secret!, 1);
    const expected = ids('abc', 'game', 'standup', 'kids', 'literal', 'advanced');
    await expect.poll(async () => (await list('?sort=occupancy')).items.map((room) => room.id)).toEqual(expected);
    const page = await list('?sort=occupancy');
    expect(page.items.map((room) => room.occupancy.count)).toEqual([3, 2, 1, 0, 0, 0]);
    expect(page.items[1]?.occupancy).toEqual({ count: 2, capacity: 2 });
    expect(page.total).toBe(6);

    expect(await listAll('sort=occupancy&pageSize=2')).toEqual(expected);
    expect((await list('?sort=occupancy&kind=coding')).items.map((room) => room.id)).toEqual(ids('abc', 'literal'));
    expect((await list('?sort=occupancy&q=chess')).items.map((room) => room.id)).toEqual(ids('kids', 'advanced'));
    // The newest-first list shows the same live counts.
    expect((await list('')).items.find((room) => room.id === rooms.abc?.id)?.occupancy.count).toBe(3);
  });

  it('finds a room by its new name after a rename, and no longer by the old one', async () => {
    const response = await call(server.app, 'PATCH', `/${rooms.literal?.id}`, { token: ownerToken, body: { name: 'Zebra Crossing' } });
    expect(response.status).toBe(200);
    expect((await list('?q=zeb')).items.map((room) => room.id)).toEqual(ids('literal'));
    expect((await list('?q=literal')).total).toBe(0);
  });

  it('refuses garbled, forged and foreign cursors with a 400 that says what to do', async () => {
    const { nextCursor } = await list('?pageSize=2');
    expect(nextCursor).toBeTruthy();
    const [payload, signature] = (nextCursor as string).split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    // Pointing the cursor at a private room's position does not get past the signature.
    const forged = Buffer.from(JSON.stringify({ ...decoded, i: rooms.secret?.id })).toString('base64url');
    const cases: Array<[string, RegExp]> = [
      [`${forged}.${signature}`, /not valid/],
      [`${payload}.${signature.slice(0, -2)}AA`, /not valid/],
      ['bm90LWpzb24.c2ln', /not valid/],
      [nextCursor as string, /another search/],
    ];
    for (const [cursor, message] of cases) {
      const query = cursor === nextCursor ? '?pageSize=2&sort=occupancy' : '?pageSize=2';
      const response = await call(server.app, 'GET', `/${query}&cursor=${encodeURIComponent(cursor)}`, { token: visitorToken });
      expect(response.status, cursor).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'INVALID_PAYLOAD', message: expect.stringMatching(message), details: [{ path: 'querystring.cursor' }] });
    }
  });

  it.each([
    ['pageSize=101', 'querystring.pageSize'],
    ['page=2', 'querystring'],
    ['sort=popular', 'querystring.sort'],
    ['kind=party', 'querystring.kind'],
    [`q=${'x'.repeat(81)}`, 'querystring.q'],
    ['q=a&q=b', 'querystring.q'],
    ['q[$regex]=.*', 'querystring'],
    ['cursor=not%20a%20cursor', 'querystring.cursor'],
    [`cursor=${'a'.repeat(600)}.b`, 'querystring.cursor'],
    ['owner=me', 'querystring'],
  ])('refuses ?%s with 400 and details', async (query, path) => {
    const response = await call(server.app, 'GET', `/?${query}`, { token: visitorToken });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_PAYLOAD');
    expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
  });
});

/** A public open room record written straight into the read model (not MongoDB). */
function modelRecord(id: string, name: string, kind: RoomRecord['kind'], at: Date): RoomRecord {
  return {
    id,
    name,
    kind,
    visibility: 'public',
    capacity: 4,
    ownerId: 'f'.repeat(24),
    ownerName: 'Bulk',
    allowedUsers: [],
    invitedUsers: [],
    memberNames: {},
    inviteCode: null,
    guestAccess: false,
    locked: false,
    createdAt: at,
    updatedAt: at,
    closedAt: null,
  };
}

function directModel(): LobbyReadModel {
  return new LobbyReadModel({ redis, rooms: {} as RoomRepository, database: DATABASE, log: { warn: () => undefined } as never });
}

describe('the lobby read model', () => {
  it('pages through hundreds of rooms created in the same millisecond, each once, by id', async () => {
    const model = directModel();
    const at = new Date(Date.now() - 2_000_000);
    // Upper and lower case mixed, as nanoids are: equal scores go by byte order, whatever the server's locale.
    const tied = Array.from({ length: 450 }, (_, index) => `tie${index % 2 ? 'A' : 'b'}${index.toString().padStart(5, '0')}`).sort();
    await Promise.all(tied.map((id) => model.apply(modelRecord(id, `Tied ${id}`, 'language', at))));
    expect(await listAll('kind=language&pageSize=100')).toEqual([...tied].reverse());
    expect(await listAll('q=tied&pageSize=37')).toEqual([...tied].reverse());
  });

  it('gives a lower bound instead of counting past 10,000 matches of a search with a kind', async () => {
    // Written straight into the read model (not MongoDB), like the rooms of the tests above: the rebuild below shows they go.
    const model = directModel();
    const base = Date.now() - 1_000_000;
    const writes: Array<Promise<void>> = [];
    for (let index = 0; index < 10_050; index++) {
      writes.push(model.apply(modelRecord(`bulk${index.toString(36).padStart(6, '0')}`, `Bulk room ${index}`, 'coding', new Date(base + index))));
    }
    await Promise.all(writes);
    const page = await list('?q=bulk&kind=coding&pageSize=3');
    expect(page).toMatchObject({ total: 10_000, totalIsLowerBound: true });
    expect(page.items.map((room) => room.name)).toEqual(['Bulk room 10049', 'Bulk room 10048', 'Bulk room 10047']);
    // The count of a word and a kind is kept for a few seconds: the next page reuses it.
    const countKeys = await redis.keys(`meshcall:rooms:{lobby:${DATABASE}}:count:*`);
    expect(await Promise.all(countKeys.map((key) => redis.get(key)))).toContain('10000:1');
    expect(await list(`?q=bulk&kind=coding&pageSize=3&cursor=${page.nextCursor}`)).toMatchObject({ total: 10_000, totalIsLowerBound: true });
    // One word and no kind is one set: its size is the exact count.
    expect(await list('?q=bulk&pageSize=1')).toMatchObject({ total: 10_050, totalIsLowerBound: false });
  });

  it('does not fail a write whose mirror fails, and repairs the room from MongoDB once Redis answers', async () => {
    const flaky = new Redis(inject('redisUrl'), { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    const record = modelRecord('repair0001', 'Repaired later', 'business', new Date());
    const stored: Pick<RoomRepository, 'findById'> = { findById: async (id) => (id === record.id ? record : null) };
    const warnings: string[] = [];
    const model = new LobbyReadModel({ redis: flaky, rooms: stored as RoomRepository, database: DATABASE, log: { warn: (_context: unknown, message: string) => warnings.push(message) } as never });
    try {
      // Redis is not connected: the mirror fails, quietly for the caller.
      await expect(model.mirror(record)).resolves.toBeUndefined();
      expect(warnings).toEqual([expect.stringMatching(/repairing it in the background/)]);
      // The failed command set off the lazy connection; once it is up, the repair goes through.
      await expect.poll(() => flaky.status).toBe('ready');
      model.start();
      await expect.poll(async () => (await list('?q=repaired')).items.map((room) => room.id), { timeout: 10_000 }).toEqual(['repair0001']);
    } finally {
      await model.stop();
      flaky.disconnect();
    }
  });

  it('reads a room missing from the model from MongoDB, and puts it back', async () => {
    const roomKey = `meshcall:rooms:{lobby:${DATABASE}}:room:${rooms.kids?.id}`;
    await redis.del(roomKey);
    const response = await call(server.app, 'GET', `/${rooms.kids?.id}`, { token: visitorToken });
    expect(response.status).toBe(200);
    expect(response.body.room.name).toBe('CHESS for kids');
    expect(JSON.parse((await redis.hget(roomKey, 'record')) ?? '{}')).toMatchObject({ id: rooms.kids?.id, name: 'CHESS for kids' });
    // A closed room is never put back: it is answered from MongoDB as closed.
    expect((await call(server.app, 'GET', `/${rooms.closed?.id}`, { token: visitorToken })).status).toBe(410);
    expect(await redis.exists(`meshcall:rooms:{lobby:${DATABASE}}:room:${rooms.closed?.id}`)).toBe(0);
  });

  it('is rebuilt from MongoDB after Redis loses it, with the quota count', async () => {
    const before = await list('');
    await redis.flushall();
    // A running replica stays in service while the model is rebuilt: joins fall back to MongoDB.
    expect((await server.app.inject({ method: 'GET', url: '/readyz' })).json().checks.lobbyReadModel).toBe('ok');
    // Until the rebuild is done the list says so instead of showing an empty lobby.
    const during = await call(server.app, 'GET', '/', { token: visitorToken });
    expect([200, 503]).toContain(during.status);
    if (during.status === 503) expect(during.body.error.code).toBe('UNAVAILABLE');
    await expect.poll(async () => (await call(server.app, 'GET', '/', { token: visitorToken })).status, { timeout: 20_000 }).toBe(200);
    const after = await list('');
    expect(after.items.map((room) => room.id)).toEqual(before.items.map((room) => room.id).filter((id) => !/^(bulk|tie|repair)/.test(id)));
    expect(after.total).toBe(6);
    expect((await list('?q=zebra')).items.map((room) => room.id)).toEqual(ids('literal'));
    // Joins read the rebuilt record, private rooms included.
    const join = await call(server.app, 'POST', `/${rooms.secret?.id}/join`, { token: ownerToken, body: {} });
    expect(join.status).toBe(200);
    expect(join.body.room.inviteCode).toBe(rooms.secret?.inviteCode);
    // The owner's open rooms (public and private, not the closed one) are counted from the model.
    const ownerSet = `meshcall:rooms:{lobby:${DATABASE}}:owner:${owner.id}`;
    expect(await redis.scard(ownerSet)).toBe(7);
  });
});
