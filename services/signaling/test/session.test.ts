import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisChannels, redisKeys } from '@meshcall/shared';
import { connect, dataOf, type TestSocket, disconnection, errorCodeOf, refusedHandshake, request, EventLog } from './support/client.js';
import { startTestRedis, type TestRedis } from './support/redis.js';
import { TEST_ORIGIN, startReplica, type InProcessReplica } from './support/replicas.js';
import { TestTokenIssuer, newUserId } from './support/token-issuer.js';

// A full collection on demand, to see what a replica still holds.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Whether the object is collected while the socket stays connected (a few rounds: pending callbacks may hold it briefly). */
async function collectedWhileConnected(socket: TestSocket, held: WeakRef<object>): Promise<boolean> {
  for (let round = 0; round < 10 && held.deref() !== undefined; round++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    collectGarbage();
  }
  return socket.connected && held.deref() === undefined;
}

/** Sends a WebSocket upgrade request for `path` and resets the connection before any answer. */
function resetUpgrade(port: number, path: string): Promise<void> {
  return new Promise((resolve) => {
    const client = net.connect(port, '127.0.0.1', () => {
      client.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
      setTimeout(() => {
        client.resetAndDestroy();
        resolve();
      }, 20);
    });
    client.on('error', () => resolve());
  });
}

describe('handshake and session', () => {
  let redis: TestRedis;
  let issuer: TestTokenIssuer;
  let replica: InProcessReplica;

  beforeAll(async () => {
    redis = await startTestRedis();
    issuer = await TestTokenIssuer.start();
    replica = await startReplica({ redisUrl: redis.url, issuer, replicaId: 'session-1' });
  });

  afterAll(async () => {
    await replica?.close();
    await issuer?.stop();
    await redis?.stop();
  });

  it('refuses a handshake without a token, or with a forged, foreign-audience or expired one', async () => {
    const userId = newUserId();
    expect((await refusedHandshake(replica.url, undefined)).code).toBe('UNAUTHORIZED');
    expect((await refusedHandshake(replica.url, 'not-a-jwt')).code).toBe('UNAUTHORIZED');
    expect((await refusedHandshake(replica.url, await issuer.accessToken(userId, { forged: true }))).code).toBe('UNAUTHORIZED');
    expect((await refusedHandshake(replica.url, await issuer.accessToken(userId, { audience: 'meshcall-signaling' }))).code).toBe('UNAUTHORIZED');
    expect((await refusedHandshake(replica.url, await issuer.accessToken(userId, { expiresInSeconds: -30 }))).code).toBe('UNAUTHORIZED');
    // A join ticket is not an access token, even though it is validly signed by rooms.
    expect((await refusedHandshake(replica.url, await issuer.ticket({ userId, roomId: 'room-abcdef' }))).code).toBe('UNAUTHORIZED');
    expect(replica.io.of('/').sockets.size).toBe(0);
  });

  it('refuses a browser handshake from a foreign origin but accepts the allowed one and non-browser clients', async () => {
    const token = await issuer.accessToken(newUserId());
    await expect(connect(replica.url, token, { origin: 'https://evil.example' })).rejects.toThrow();
    expect(replica.io.of('/').sockets.size).toBe(0);

    const browser = await connect(replica.url, token, { origin: 'http://localhost:8080' });
    const native = await connect(replica.url, token, { origin: undefined });
    expect(browser.connected && native.connected).toBe(true);
    browser.close();
    native.close();
  });

  it('keeps neither the access token nor the request headers of a connected socket', async () => {
    const userId = newUserId();
    const token = await issuer.accessToken(userId);
    const socket = await connect(replica.url, token, { origin: TEST_ORIGIN });
    try {
      const held = [...replica.io.of('/').sockets.values()].find((candidate) => candidate.data.userId === userId);
      expect(held).toBeDefined();
      // A heap dump of a replica hands out no live token, and an idle socket carries less.
      expect(JSON.stringify(held?.handshake)).not.toContain(token);
      expect(held?.handshake.headers).toEqual({});
    } finally {
      socket.close();
    }
  });

  it("lets go of a connected socket's upgrade request, which an idle connection would otherwise carry", async () => {
    let upgradeRequest: WeakRef<object> | undefined;
    const capture = (_headers: unknown, request: object) => {
      upgradeRequest = new WeakRef(request);
    };
    replica.io.engine.once('initial_headers', capture);
    const socket = await connect(replica.url, await issuer.accessToken(newUserId()), { origin: TEST_ORIGIN });
    try {
      expect(upgradeRequest).toBeDefined();
      expect(await collectedWhileConnected(socket, upgradeRequest as WeakRef<object>)).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('stays up when upgrades, to another path or to Socket.IO, are reset before they are answered', async () => {
    const { port } = new URL(replica.url);
    const paths = ['/not-socket-io/', '/socket.io/?EIO=4&transport=websocket'];
    await Promise.all(Array.from({ length: 20 }, (_, i) => resetUpgrade(Number(port), paths[i % paths.length] as string)));
    // engine.io 6.6.11 turns an upgrade to another path away a second later with no error
    // listener on it meanwhile, so a reset there was an uncaught error that ended the process.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const socket = await connect(replica.url, await issuer.accessToken(newUserId()), { origin: TEST_ORIGIN });
    expect(socket.connected).toBe(true);
    socket.close();
  });

  it('warns before the token expires and drops the socket when it does', async () => {
    // The warning leaves right after the handshake (the token has less than a minute left), so the
    // log listens before the socket connects.
    let log: EventLog<'session:expiring'> | undefined;
    const socket = await connect(replica.url, await issuer.accessToken(newUserId(), { expiresInSeconds: 3 }), {
      origin: TEST_ORIGIN,
      beforeConnect: (connecting) => {
        log = new EventLog(connecting, ['session:expiring']);
      },
    });
    if (!log) throw new Error('the event log was not attached');
    const warning = await log.waitFor('session:expiring');
    expect(Date.parse(warning.expiresAt)).toBeGreaterThan(Date.now());
    expect(await disconnection(socket, 10_000)).toBe('io server disconnect');
  });

  it('keeps the socket past the old expiry after session:refresh with a fresh token of the same user', async () => {
    const userId = newUserId();
    const socket = await connect(replica.url, await issuer.accessToken(userId, { expiresInSeconds: 3 }));
    try {
      const someoneElse = await request(socket, 'session:refresh', { token: await issuer.accessToken(newUserId()) });
      expect(errorCodeOf(someoneElse)).toBe('FORBIDDEN');
      const forged = await request(socket, 'session:refresh', { token: await issuer.accessToken(userId, { forged: true }) });
      expect(errorCodeOf(forged)).toBe('UNAUTHORIZED');

      const refreshed = dataOf(await request(socket, 'session:refresh', { token: await issuer.accessToken(userId, { expiresInSeconds: 900 }) }));
      expect(Date.parse(refreshed.expiresAt)).toBeGreaterThan(Date.now() + 800_000);

      // Wait out the first token's lifetime: the socket is still served.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(socket.connected).toBe(true);
      expect(errorCodeOf(await request(socket, 'room:leave', {}))).toBe('NOT_IN_ROOM');
    } finally {
      socket.close();
    }
  });

  /** What auth does when a session signs out: the revocation key, then the news for live sockets. */
  async function signOut(sessionId: string): Promise<void> {
    await redis.client.set(redisKeys.revokedSession(sessionId), '1', 'EX', 960);
    await redis.client.publish(redisChannels.sessionsRevoked, JSON.stringify({ sessionIds: [sessionId] }));
  }

  it('refuses at the handshake and on session:refresh a token whose session was signed out', async () => {
    const userId = newUserId();
    const sessionId = randomUUID();
    const token = await issuer.accessToken(userId, { sessionId });
    const before = await connect(replica.url, token);
    before.close();

    await signOut(sessionId);
    const refused = await refusedHandshake(replica.url, token);
    expect(refused.code).toBe('UNAUTHORIZED');
    expect(refused.message).toMatch(/signed out/);

    // Another session of the same user is not affected, but cannot take the signed-out token on.
    const other = await connect(replica.url, await issuer.accessToken(userId, { sessionId: randomUUID() }));
    try {
      expect(errorCodeOf(await request(other, 'session:refresh', { token }))).toBe('UNAUTHORIZED');
      expect(other.connected).toBe(true);
    } finally {
      other.close();
    }
  });

  it('drops the live sockets of a session when it signs out, and only those', async () => {
    const userId = newUserId();
    const sessionId = randomUUID();
    const signedOut = await connect(replica.url, await issuer.accessToken(userId, { sessionId }));
    const otherDevice = await connect(replica.url, await issuer.accessToken(userId, { sessionId: randomUUID() }));
    try {
      await signOut(sessionId);
      expect(await disconnection(signedOut, 10_000)).toBe('io server disconnect');
      expect(otherDevice.connected).toBe(true);
      expect(errorCodeOf(await request(otherDevice, 'room:leave', {}))).toBe('NOT_IN_ROOM');
    } finally {
      signedOut.close();
      otherDevice.close();
    }
  });
});
