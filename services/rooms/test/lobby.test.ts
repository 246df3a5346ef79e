import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { loggerOptions } from '@meshcall/server-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LobbyCloseCode, redisChannels, redisKeys, roomResponseSchema, type Room } from '@meshcall/shared';
import { call } from './support/api.js';
import { newUser, startFakeAuth, type FakeAuth } from './support/fake-auth.js';
import { LobbyClient } from './support/lobby-client.js';
import { startRoomsServer, testRedis, type RoomsServer } from './support/rooms-server.js';

let auth: FakeAuth;
let server: RoomsServer;
let redis: Redis;
const owner = newUser('Olga');
const watcher = newUser('Wes');
let ownerToken: string;
let watcherToken: string;
const clients: LobbyClient[] = [];

beforeAll(async () => {
  auth = await startFakeAuth();
  server = await startRoomsServer({ database: 'rooms_lobby', authJwksUrl: auth.jwksUrl });
  redis = testRedis();
  ownerToken = await auth.mint(owner);
  watcherToken = await auth.mint(watcher);
});

afterAll(async () => {
  for (const client of clients) client.close();
  redis?.disconnect();
  await server?.stop();
  await auth?.stop();
});

async function watch(target: RoomsServer = server, token = watcherToken): Promise<LobbyClient> {
  const client = await LobbyClient.signedIn(target.url, token);
  clients.push(client);
  return client;
}

async function createRoom(body: Record<string, unknown>, target: RoomsServer = server): Promise<Room> {
  const response = await call(target.app, 'POST', '/', { token: ownerToken, body });
  expect(response.status).toBe(201);
  return roomResponseSchema.parse(response.body).room;
}

describe('GET /live authentication', () => {
  it('answers a valid auth message with ready and the token expiry', async () => {
    const client = await LobbyClient.open(server.url);
    clients.push(client);
    const token = await auth.mint(watcher, { expiresIn: 300 });
    client.send({ type: 'auth', token });
    const ready = await client.next();
    expect(ready.type).toBe('ready');
    const expected = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).exp * 1000;
    expect(ready.type === 'ready' && Date.parse(ready.expiresAt)).toBe(expected);
  });

  it('closes with 4401 on an invalid token and 4400 on a malformed message', async () => {
    const forged = await LobbyClient.open(server.url);
    forged.send({ type: 'auth', token: await auth.mint(watcher, { foreignKey: true }) });
    expect((await forged.closed).code).toBe(LobbyCloseCode.Unauthorized);

    for (const message of ['not json', { type: 'subscribe' }, { type: 'auth', token: 'x', extra: 1 }]) {
      const client = await LobbyClient.open(server.url);
      client.send(message);
      expect((await client.closed).code).toBe(LobbyCloseCode.BadMessage);
    }
  });

  it('closes a socket that never authenticates', async () => {
    const silent = await LobbyClient.open(server.url);
    expect(await silent.closed).toEqual({ code: LobbyCloseCode.Unauthorized, reason: 'send an auth message first' });
  });

  it('closes when the token expires, unless a fresh one arrived', async () => {
    const shortLived = await LobbyClient.signedIn(server.url, await auth.mint(watcher, { expiresIn: 2 }));
    expect(await shortLived.closed).toEqual({ code: LobbyCloseCode.Unauthorized, reason: 'access token expired' });

    const refreshed = await LobbyClient.signedIn(server.url, await auth.mint(watcher, { expiresIn: 2 }));
    clients.push(refreshed);
    refreshed.send({ type: 'auth', token: await auth.mint(watcher, { expiresIn: 600 }) });
    expect((await refreshed.next()).type).toBe('ready');
    // Past the first token's expiry the socket still gets events.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const room = await createRoom({ name: 'After refresh', kind: 'coding' });
    expect(await refreshed.next()).toMatchObject({ type: 'room:created', room: { id: room.id } });
  });

  it('refuses a token in the query string and a foreign Origin before the upgrade', async () => {
    await expect(LobbyClient.open(server.url, { path: `/live?token=${watcherToken}` })).rejects.toThrow('upgrade refused with 400');
    await expect(LobbyClient.open(server.url, { origin: 'https://evil.example' })).rejects.toThrow('upgrade refused with 403');
    const allowed = await LobbyClient.open(server.url, { origin: 'http://127.0.0.1:8080' });
    allowed.close();
  });

  it('sends nothing to a socket before it authenticates', async () => {
    const client = await LobbyClient.open(server.url);
    clients.push(client);
    await createRoom({ name: 'Before auth', kind: 'coding' });
    client.send({ type: 'auth', token: watcherToken });
    expect((await client.next()).type).toBe('ready');
    const later = await createRoom({ name: 'After auth', kind: 'coding' });
    expect(await client.next()).toMatchObject({ type: 'room:created', room: { id: later.id } });
  });
});

describe('logs', () => {
  it('never contain an access token, from HTTP requests or lobby sockets', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // The service's own logger options (with their redaction), at the most talkative level.
    const serviceLogger = loggerOptions('rooms', 'trace') as Record<string, unknown>;
    const logged = await startRoomsServer({ database: 'rooms_lobby', authJwksUrl: auth.jwksUrl, logger: { ...serviceLogger, stream } });
    try {
      const token = await auth.mint(watcher);
      const forged = await auth.mint(watcher, { foreignKey: true });
      await call(logged.app, 'GET', '/', { token });
      await call(logged.app, 'GET', '/', { token: forged });
      const client = await LobbyClient.signedIn(logged.url, token);
      client.close();
      const refused = await LobbyClient.open(logged.url);
      refused.send({ type: 'auth', token: forged });
      await refused.closed;
      const log = lines.join('');
      expect(log).toContain('lobby authentication refused');
      expect(log).toContain('"url":"/"');
      for (const secret of [token, forged, token.split('.')[2] as string, forged.split('.')[2] as string]) expect(log).not.toContain(secret);
    } finally {
      await logged.stop();
    }
  });
});

describe('GET /live events', () => {
  it('pushes public rooms created, updated and closed, and never a private room', async () => {
    const client = await watch();
    const hidden = await createRoom({ name: 'Hidden room', kind: 'business', visibility: 'private' });
    const room = await createRoom({ name: 'Lobby room', kind: 'coding', capacity: 5 });
    const created = await client.next();
    expect(created).toMatchObject({ type: 'room:created', room: { id: room.id, name: 'Lobby room', occupancy: { count: 0, capacity: 5 } } });
    // Lobby snapshots never carry owner-only fields.
    expect(created.type === 'room:created' && 'allowedUsers' in created.room).toBe(false);

    await call(server.app, 'PATCH', `/${hidden.id}`, { token: ownerToken, body: { name: 'Hidden renamed' } });
    await call(server.app, 'DELETE', `/${hidden.id}`, { token: ownerToken });
    expect((await call(server.app, 'PATCH', `/${room.id}`, { token: ownerToken, body: { name: 'Renamed lobby room', locked: true } })).status).toBe(200);
    expect(await client.next()).toMatchObject({ type: 'room:updated', room: { id: room.id, name: 'Renamed lobby room', locked: true } });

    expect((await call(server.app, 'DELETE', `/${room.id}`, { token: ownerToken })).status).toBe(204);
    expect(await client.next()).toEqual({ type: 'room:closed', roomId: room.id });
  });

  it('passes on occupancy changes that signaling publishes, only for listed rooms', async () => {
    const client = await watch();
    const hidden = await createRoom({ name: 'Private occupancy', kind: 'business', visibility: 'private' });
    const room = await createRoom({ name: 'Public occupancy', kind: 'coding' });
    expect(await client.next()).toMatchObject({ type: 'room:created', room: { id: room.id } });

    await redis.publish(redisChannels.occupancy, JSON.stringify({ roomId: hidden.id, occupancy: { count: 2, capacity: 4 } }));
    await redis.publish(redisChannels.occupancy, JSON.stringify({ roomId: 'NoSuchRoom1', occupancy: { count: 1, capacity: 4 } }));
    await redis.publish(redisChannels.occupancy, 'not json');
    await redis.publish(redisChannels.occupancy, JSON.stringify({ roomId: room.id, occupancy: { count: 3, capacity: 4 } }));
    expect(await client.next()).toEqual({ type: 'rooms:occupancy', changes: [{ roomId: room.id, occupancy: { count: 3, capacity: 4 } }] });
  });

  it('sends the occupancy changes of many rooms in one message, the latest count of each', async () => {
    const client = await watch();
    const first = await createRoom({ name: 'Busy one', kind: 'coding' });
    const second = await createRoom({ name: 'Busy two', kind: 'coding' });
    expect(await client.next()).toMatchObject({ type: 'room:created', room: { id: first.id } });
    expect(await client.next()).toMatchObject({ type: 'room:created', room: { id: second.id } });
    const pipeline = redis.pipeline();
    for (const [room, count] of [[first, 1], [second, 1], [first, 2], [second, 2], [first, 3]] as const) {
      pipeline.publish(redisChannels.occupancy, JSON.stringify({ roomId: room.id, occupancy: { count, capacity: 4 } }));
    }
    await pipeline.exec();
    expect(await client.next()).toEqual({
      type: 'rooms:occupancy',
      changes: [
        { roomId: second.id, occupancy: { count: 2, capacity: 4 } },
        { roomId: first.id, occupancy: { count: 3, capacity: 4 } },
      ],
    });
  });

  it('mirrors a lock set in the call by signaling, and every lock change reaches the lobby once', async () => {
    const second = await startRoomsServer({ database: 'rooms_lobby', authJwksUrl: auth.jwksUrl, dataDir: server.config.DATA_DIR });
    try {
      const client = await watch();
      const room = await createRoom({ name: 'Locked from the call', kind: 'coding' });
      expect(await client.next()).toMatchObject({ type: 'room:created', room: { id: room.id } });

      // What signaling does when the owner locks the room in the call: the key, then the event.
      await redis.set(redisKeys.roomLocked(room.id), '1');
      await redis.publish(redisChannels.roomEvents, JSON.stringify({ type: 'locked', roomId: room.id, locked: true }));
      expect(await client.next()).toMatchObject({ type: 'room:updated', room: { id: room.id, locked: true } });
      // Both replicas heard the event; only one changed the stored room, so the next event is the marker.
      const marker = await createRoom({ name: 'Marker', kind: 'coding' });
      expect(await client.next()).toMatchObject({ type: 'room:created', room: { id: marker.id } });
      // Reloaded from the database (not Redis): the lock was mirrored.
      const stored = await second.app.inject({ method: 'GET', url: `/${room.id}`, headers: { authorization: `Bearer ${ownerToken}` } });
      expect(stored.json().room.locked).toBe(true);

      // Unlocked through the API: the replicas hearing rooms' own event stay quiet too.
      expect((await call(server.app, 'PATCH', `/${room.id}`, { token: ownerToken, body: { locked: false } })).status).toBe(200);
      expect(await client.next()).toMatchObject({ type: 'room:updated', room: { id: room.id, locked: false } });
      const secondMarker = await createRoom({ name: 'Second marker', kind: 'coding' });
      expect(await client.next()).toMatchObject({ type: 'room:created', room: { id: secondMarker.id } });
    } finally {
      await second.stop();
    }
  });

  it('delivers events from another rooms replica', async () => {
    const second = await startRoomsServer({ database: 'rooms_lobby', authJwksUrl: auth.jwksUrl, dataDir: server.config.DATA_DIR });
    try {
      const onSecond = await watch(second);
      const onFirst = await watch(server);
      const room = await createRoom({ name: 'Made on the first replica', kind: 'learning' });
      expect(await onSecond.next()).toMatchObject({ type: 'room:created', room: { id: room.id } });
      expect(await onFirst.next()).toMatchObject({ type: 'room:created', room: { id: room.id } });
      await call(second.app, 'DELETE', `/${room.id}`, { token: ownerToken });
      expect(await onFirst.next()).toEqual({ type: 'room:closed', roomId: room.id });
      expect(await onSecond.next()).toEqual({ type: 'room:closed', roomId: room.id });
    } finally {
      await second.stop();
    }
  });
});
