import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.js';
import { turnCredentials } from './turn-client.js';
import { TurnAllocationClient } from './turn-allocation-client.js';

/*
 * Issue 17, "Several TURN servers": the real stack with two real coturns sharing the TURN secret.
 * Rooms hands out one of them per room (a hash on the room id over the healthy ones), and a
 * coturn SIGKILLed through the launcher stops being handed out within 10 s.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'meshcall-turn-servers-'));
let stack: Stack;

/** What `POST /:id/join` and `POST /:id/ice` answer that this suite reads. */
interface IceAnswer {
  iceServers: Array<{ urls: string[]; username?: string; credential?: string }>;
}

interface User {
  token: string;
}

/** `host:port` of the TURN server an answer names, from its `turn:` URLs (all must agree). */
function turnServerOf(answer: IceAnswer): string {
  const { urls } = turnCredentials(answer.iceServers);
  const servers = new Set(urls.filter((url) => url.startsWith('turn:')).map((url) => url.replace(/^turn:/, '').replace(/\?.*$/, '')));
  expect(servers.size).toBe(1);
  return [...servers][0] as string;
}

async function api<T>(path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`${stack.gatewayUrl}/api${path}`, {
    method: init.method ?? 'GET',
    headers: {
      origin: stack.gatewayUrl,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

async function register(name: string): Promise<User> {
  const { accessToken } = await api<{ accessToken: string }>('/auth/register', {
    method: 'POST',
    body: { name, email: `${name.toLowerCase()}-${Date.now()}@example.com`, password: 'tangerine lighthouse 42' },
  });
  return { token: accessToken };
}

const createRoom = (owner: User, name: string) =>
  api<{ room: { id: string } }>('/rooms/', { method: 'POST', token: owner.token, body: { name, kind: 'coding' } }).then(({ room }) => room.id);
const joinRoom = (user: User, roomId: string) => api<IceAnswer>(`/rooms/${roomId}/join`, { method: 'POST', token: user.token });
const refreshIce = (user: User, roomId: string) => api<IceAnswer>(`/rooms/${roomId}/ice`, { method: 'POST', token: user.token });

/** rooms' own gauge, per TURN server: 1 healthy, 0 failing. */
async function healthGauge(): Promise<Record<string, number>> {
  const text = await (await fetch(`${stack.urls.rooms[0]}/metrics`)).text();
  const gauge: Record<string, number> = {};
  for (const match of text.matchAll(/^rooms_turn_server_healthy\{[^}]*\bserver="([^"]+)"[^}]*\} (-?\d+)$/gm)) gauge[match[1] as string] = Number(match[2]);
  return gauge;
}

/** Polls `check` every 200 ms until it holds; answers how long that took, or throws after `limitMs`. */
async function within(limitMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await sleep(200);
  }
}

let alice: User;
let bob: User;
/** Every room of the suite and the server both peers got for it while both coturns ran. */
const placement = new Map<string, string>();
let first: string;
let second: string;
const roomsOn = (server: string) => [...placement].filter(([, on]) => on === server).map(([room]) => room);

beforeAll(async () => {
  stack = await startStack({
    dataDir,
    gatewayPort: 0,
    bcryptCost: 4,
    turnServers: 2,
    env: {},
    // Room creation and TURN grant bounds far above what the suite asks for (they have suites of their own).
    serviceEnv: { ROOMS_PER_ACCOUNT: '100', ROOM_CREATE_RATE_LIMIT: '100', TURN_GRANTS_PER_USER: '1000', TURN_GRANTS_PER_SEAT: '1000' },
  });
  [first, second] = stack.turnServers.map((server) => server.id) as [string, string];
  alice = await register('Alice');
  bob = await register('Bob');
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('two coturns behind one rooms service', () => {
  it('gives both peers of a room the same TURN server, and spreads rooms over both', async () => {
    expect(stack.turnServers).toHaveLength(2);
    expect(first).not.toBe(second);
    for (let index = 0; index < 24; index++) {
      const roomId = await createRoom(alice, `Spread ${index}`);
      const [byAlice, byBob, refreshedByBob] = [turnServerOf(await joinRoom(alice, roomId)), turnServerOf(await joinRoom(bob, roomId)), turnServerOf(await refreshIce(bob, roomId))];
      expect([byBob, refreshedByBob]).toEqual([byAlice, byAlice]);
      expect([first, second]).toContain(byAlice);
      placement.set(roomId, byAlice);
    }
    // 24 rooms all on one of two servers would happen about once in 8 million runs.
    expect(roomsOn(first).length).toBeGreaterThan(0);
    expect(roomsOn(second).length).toBeGreaterThan(0);
    expect(await healthGauge()).toEqual({ [first]: 1, [second]: 1 });
  });

  it('hands out credentials that allocate a relay on the server handed out', async () => {
    for (const server of [first, second]) {
      const roomId = roomsOn(server)[0] as string;
      const answer = await joinRoom(bob, roomId);
      expect(turnServerOf(answer)).toBe(server);
      const [host, port] = [server.slice(0, server.lastIndexOf(':')), Number(server.slice(server.lastIndexOf(':') + 1))];
      const client = await TurnAllocationClient.open({ host, port }, turnCredentials(answer.iceServers));
      try {
        const allocation = await client.allocate({ family: 4 });
        expect(allocation).toMatchObject({ ok: true, relayed: { address: '127.0.0.1' } });
      } finally {
        await client.release();
        client.close();
      }
    }
  });

  it('stops handing out a SIGKILLed coturn within 10 s, and hands it out again once it is back', async () => {
    const killed = stack.turnServers.find((server) => server.id === second);
    if (!killed) throw new Error('no second coturn');
    const moved = roomsOn(second);
    const stayed = roomsOn(first);
    killed.component.signal('SIGKILL');

    const tookMs = await within(10_000, `rooms of ${second} moved to ${first}`, async () => {
      const answers = await Promise.all(moved.map((roomId) => joinRoom(alice, roomId)));
      return answers.every((answer) => turnServerOf(answer) === first);
    });
    console.log(`[turn-servers] a SIGKILLed coturn stopped being handed out after ${(tookMs / 1000).toFixed(1)} s`);
    // Every join and refresh now names the live one; the rooms it already had stay where they were.
    for (const roomId of [...moved, ...stayed]) {
      expect(turnServerOf(await joinRoom(bob, roomId))).toBe(first);
      expect(turnServerOf(await refreshIce(alice, roomId))).toBe(first);
    }
    expect(await healthGauge()).toEqual({ [first]: 1, [second]: 0 });
    // ...and the moved rooms' credentials work on it.
    const answer = await refreshIce(bob, moved[0] as string);
    const client = await TurnAllocationClient.open({ host: '127.0.0.1', port: Number(first.split(':')[1]) }, turnCredentials(answer.iceServers));
    try {
      expect(await client.allocate({ family: 4 })).toMatchObject({ ok: true });
    } finally {
      await client.release();
      client.close();
    }

    await killed.component.start();
    await within(10_000, `rooms of ${second} back on it`, async () => {
      const answers = await Promise.all(moved.map((roomId) => refreshIce(bob, roomId)));
      return answers.every((answer) => turnServerOf(answer) === second);
    });
    for (const roomId of stayed) expect(turnServerOf(await joinRoom(bob, roomId))).toBe(first);
    expect(await healthGauge()).toEqual({ [first]: 1, [second]: 1 });

    const log = readFileSync(join(stack.logDir, 'rooms.log'), 'utf8');
    expect(log).toMatch(new RegExp(`"turnServer":"${second}".*no longer handed out`));
    expect(log).toMatch(new RegExp(`"turnServer":"${second}".*handed out again`));
  });

  it('hands out both by room when both fail, says so in the log, and recovers', async () => {
    for (const server of stack.turnServers) server.component.signal('SIGKILL');
    await within(10_000, 'both coturns reported failing', async () => {
      const gauge = await healthGauge();
      return gauge[first] === 0 && gauge[second] === 0;
    });
    // A relay that may be down beats none: every room still gets its own server, as placed at first.
    for (const [roomId, server] of placement) expect(turnServerOf(await joinRoom(alice, roomId))).toBe(server);
    expect(readFileSync(join(stack.logDir, 'rooms.log'), 'utf8')).toMatch(/"level":50.*every TURN server fails its health check/);

    await Promise.all(stack.turnServers.map((server) => server.component.start()));
    await within(10_000, 'both coturns healthy again', async () => {
      const gauge = await healthGauge();
      return gauge[first] === 1 && gauge[second] === 1;
    });
    for (const [roomId, server] of placement) expect(turnServerOf(await refreshIce(bob, roomId))).toBe(server);
  });
});
