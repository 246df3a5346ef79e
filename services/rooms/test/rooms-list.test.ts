import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomListResponseSchema, roomResponseSchema, type Room } from '@meshcall/shared';
import { call } from './support/api.js';
import { newUser, startFakeAuth, type FakeAuth } from './support/fake-auth.js';
import { startRoomsServer, takeSeats, testRedis, type RoomsServer } from './support/rooms-server.js';

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

async function list(query: string, token = visitorToken) {
  const response = await call(server.app, 'GET', `/${query}`, { token });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return roomListResponseSchema.parse(response.body);
}

const ids = (...keys: string[]) => keys.map((key) => rooms[key]?.id);

beforeAll(async () => {
  auth = await startFakeAuth();
  server = await startRoomsServer({ database: 'rooms_list', authJwksUrl: auth.jwksUrl });
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
    expect(page).toMatchObject({ page: 1, pageSize: 20, total: 6 });
    // Not even to their owner: private rooms are in /mine.
    expect((await list('', ownerToken)).items.map((room) => room.id)).not.toContain(rooms.secret?.id);
  });

  it('searches names case-insensitively, without private or closed rooms', async () => {
    expect((await list('?q=chess')).items.map((room) => room.id)).toEqual(ids('kids', 'advanced'));
    expect((await list('?q=CHESS')).total).toBe(2);
    expect((await list('?q=Secret')).total).toBe(0);
    expect((await list(`?q=${encodeURIComponent('Secret chess')}`)).items).toEqual([]);
  });

  it('treats regular-expression characters in the search literally', async () => {
    expect((await list(`?q=${encodeURIComponent('(Advanced)')}`)).items.map((room) => room.id)).toEqual(ids('advanced'));
    expect((await list(`?q=${encodeURIComponent('a.c')}`)).items.map((room) => room.id)).toEqual(ids('literal'));
    expect((await list(`?q=${encodeURIComponent('.*')}`)).total).toBe(0);
    expect((await list(`?q=${encodeURIComponent('[')}`)).total).toBe(0);
    expect((await list(`?q=${encodeURIComponent('\\')}`)).total).toBe(0);
  });

  it('filters by kind, alone and with a search', async () => {
    expect((await list('?kind=learning')).items.map((room) => room.id)).toEqual(ids('kids', 'advanced'));
    expect((await list('?kind=learning&q=kids')).items.map((room) => room.id)).toEqual(ids('kids'));
    expect((await list('?kind=language')).items).toEqual([]);
  });

  it('pages with a total', async () => {
    const second = await list('?page=2&pageSize=4');
    expect(second.items.map((room) => room.id)).toEqual(ids('advanced', 'standup'));
    expect(second).toMatchObject({ page: 2, pageSize: 4, total: 6 });
    expect((await list('?page=3&pageSize=4')).items).toEqual([]);
  });

  it('carries live occupancy on each item and sorts by it, busiest first, newest first among equals', async () => {
    await takeSeats(redis, rooms.abc!.id, 3);
    await takeSeats(redis, rooms.game!.id, 2);
    await takeSeats(redis, rooms.standup!.id, 1);
    await takeSeats(redis, rooms.kids!.id, 4, Date.now() - 1); // leases ran out: nobody is there
    const page = await list('?sort=occupancy');
    expect(page.items.map((room) => room.id)).toEqual(ids('abc', 'game', 'standup', 'kids', 'literal', 'advanced'));
    expect(page.items.map((room) => room.occupancy.count)).toEqual([3, 2, 1, 0, 0, 0]);
    expect(page.items[1]?.occupancy).toEqual({ count: 2, capacity: 2 });
    expect(page.total).toBe(6);

    const second = await list('?sort=occupancy&page=2&pageSize=2');
    expect(second.items.map((room) => room.id)).toEqual(ids('standup', 'kids'));
    const filtered = await list('?sort=occupancy&kind=coding');
    expect(filtered.items.map((room) => room.id)).toEqual(ids('abc', 'literal'));
    // The newest-first list shows the same live counts.
    expect((await list('')).items.find((room) => room.id === rooms.abc?.id)?.occupancy.count).toBe(3);
  });

  it('finds a room by its new name after a rename', async () => {
    const response = await call(server.app, 'PATCH', `/${rooms.literal?.id}`, { token: ownerToken, body: { name: 'Zebra Crossing' } });
    expect(response.status).toBe(200);
    expect((await list('?q=zebra')).items.map((room) => room.id)).toEqual(ids('literal'));
    expect((await list(`?q=${encodeURIComponent('a.c')}`)).total).toBe(0);
  });

  it.each([
    ['pageSize=101', 'querystring.pageSize'],
    ['page=0', 'querystring.page'],
    ['sort=popular', 'querystring.sort'],
    ['kind=party', 'querystring.kind'],
    [`q=${'x'.repeat(81)}`, 'querystring.q'],
    ['q=a&q=b', 'querystring.q'],
    ['q[$regex]=.*', 'querystring'],
    ['owner=me', 'querystring'],
  ])('refuses ?%s with 400 and details', async (query, path) => {
    const response = await call(server.app, 'GET', `/?${query}`, { token: visitorToken });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_PAYLOAD');
    expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
  });
});
