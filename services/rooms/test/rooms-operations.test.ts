import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '@meshcall/shared';
import { findFreePort, mongoUrl, mongoWireComponent, redisComponent, type LocalComponent } from '@meshcall/stack';
import { call } from './support/api.js';
import { newUser, startFakeAuth, type FakeAuth } from './support/fake-auth.js';
import { startRoomsServer, testRedis, type RoomsServer } from './support/rooms-server.js';

let auth: FakeAuth;
let server: RoomsServer;
const user = newUser('Una');
let token: string;

beforeAll(async () => {
  auth = await startFakeAuth();
  server = await startRoomsServer({ database: 'rooms_ops', authJwksUrl: auth.jwksUrl });
  token = await auth.mint(user);
});

afterAll(async () => {
  await server?.stop();
  await auth?.stop();
});

async function readiness(app: RoomsServer['app']) {
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  return { status: response.statusCode, body: response.json() };
}

/** Polls until `probe` holds; the outage tests wait for a dependency to be noticed, never for a fixed time. */
async function eventually(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(100);
  }
  throw new Error(`never happened: ${what}`);
}

describe('access tokens', () => {
  it.each([
    ['no Authorization header', async () => undefined],
    ['an expired token', () => auth.mint(user, { expiresIn: -10 })],
    ['a token signed by a key auth does not publish', () => auth.mint(user, { foreignKey: true })],
    ['a token for another audience', () => auth.mint(user, { audience: 'meshcall-signaling' })],
    ['a token from another issuer', () => auth.mint(user, { issuer: 'meshcall-rooms' })],
    ['a token that is not an access token', () => auth.mint(user, { typ: 'refresh' })],
    ['an unsigned token', async () => new UnsecuredJWT({ name: 'Una', typ: 'access' }).setIssuer('meshcall-auth').setAudience('meshcall').setSubject(user.id).setExpirationTime('5m').encode()],
    ['garbage', async () => 'not-a-jwt'],
  ])('refuses %s with 401 on every route', async (_case, makeToken) => {
    const badToken = await makeToken();
    for (const [method, url] of [['GET', '/'], ['GET', '/mine'], ['GET', '/ice'], ['POST', '/'], ['GET', '/abcdefghij'], ['POST', '/abcdefghij/join'], ['DELETE', '/abcdefghij']] as const) {
      const response = await call(server.app, method, url, { token: badToken, body: method === 'POST' ? { name: 'x', kind: 'coding' } : undefined });
      expect(response.status, `${method} ${url}`).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('refuses a token whose session was signed out (auth wrote it to the revocation set), on every route', async () => {
    const sessionId = randomUUID();
    const signedOut = await auth.mint(user, { sessionId });
    const otherSession = await auth.mint(user, { sessionId: randomUUID() });
    expect((await call(server.app, 'GET', '/mine', { token: signedOut })).status).toBe(200);

    const redis = testRedis();
    try {
      await redis.set(redisKeys.revokedSession(sessionId), '1', 'EX', 960);
    } finally {
      redis.disconnect();
    }
    for (const [method, url] of [['GET', '/'], ['GET', '/mine'], ['GET', '/ice'], ['POST', '/'], ['GET', '/abcdefghij'], ['POST', '/abcdefghij/join'], ['DELETE', '/abcdefghij']] as const) {
      const response = await call(server.app, method, url, { token: signedOut, body: method === 'POST' ? { name: 'x', kind: 'coding' } : undefined });
      expect(response.status, `${method} ${url}`).toBe(401);
      expect(response.body.error).toEqual({ code: 'UNAUTHORIZED', message: expect.stringContaining('signed out') });
    }
    expect((await call(server.app, 'GET', '/mine', { token: otherSession })).status).toBe(200);
  });

  it('says when the token has expired, and checks the token before the body', async () => {
    const expired = await call(server.app, 'GET', '/', { token: await auth.mint(user, { expiresIn: -10 }) });
    expect(expired.body.error.message).toBe('The token has expired.');
    const invalidBodyNoToken = await call(server.app, 'POST', '/', { body: { name: { $gt: '' } } });
    expect(invalidBodyNoToken.status).toBe(401);
  });

  it('refuses a malformed Authorization header', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/', headers: { authorization: `Token ${token}` } });
    expect(response.statusCode).toBe(401);
  });
});

describe('operations endpoints', () => {
  it('serves /healthz and /readyz with every dependency checked', async () => {
    expect((await call(server.app, 'GET', '/healthz')).body).toEqual({ status: 'ok', service: 'rooms' });
    expect(await readiness(server.app)).toEqual({ status: 200, body: { status: 'ok', service: 'rooms', checks: { mongo: 'ok', redis: 'ok', authJwks: 'ok', lobbyReadModel: 'ok' } } });
  });

  it('serves Prometheus metrics, including tickets issued', async () => {
    const room = await call(server.app, 'POST', '/', { token, body: { name: 'Metrics', kind: 'coding' } });
    await call(server.app, 'POST', `/${room.body.room.id}/join`, { token });
    const response = await call(server.app, 'GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.body).toContain('http_request_duration_seconds_bucket{');
    expect(response.body).toContain('route="/:id/join"');
    expect(response.body).toMatch(/rooms_join_tickets_issued_total\{service="rooms"\} 1\b/);
    expect(response.body).toContain('rooms_lobby_sockets');
  });

  it('serves OpenAPI docs for the routes, addressed through the gateway prefix', async () => {
    const ui = await server.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
    const spec = (await server.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(spec.servers).toEqual([{ url: '/api/rooms' }]);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/', '/mine', '/{id}', '/{id}/join', '/{id}/ice', '/{id}/invite', '/.well-known/jwks.json']));
    // TURN credentials only with a room (issue 19).
    expect(Object.keys(spec.paths)).not.toContain('/ice');
    expect(Object.keys(spec.paths['/{id}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
  });

  it('answers unknown routes with the error shape, and sends security headers', async () => {
    const response = await call(server.app, 'GET', '/no/such/route', { token });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('dependency outages', () => {
  it('reports auth key set trouble as not ready and 503, not as a bad token', async () => {
    const port = await findFreePort();
    const orphan = await startRoomsServer({
      database: 'rooms_ops',
      authJwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      readyWhen: (checks) => checks.mongo === 'ok' && checks.redis === 'ok' && checks.lobbyReadModel === 'ok',
    });
    try {
      const ready = await readiness(orphan.app);
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toEqual({ mongo: 'ok', redis: 'ok', authJwks: 'down', lobbyReadModel: 'ok' });
      const response = await call(orphan.app, 'GET', '/', { token });
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('UNAVAILABLE');
    } finally {
      await orphan.stop();
    }
  });

  it('answers 503 while Redis is down, and recovers when it is back', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rooms-redis-outage-'));
    const redisPort = await findFreePort();
    const redis = redisComponent({ port: redisPort, dataDir: root, logDir: root });
    await redis.start();
    const own = await startRoomsServer({ database: 'rooms_ops', authJwksUrl: auth.jwksUrl, env: { REDIS_URL: `redis://127.0.0.1:${redisPort}` } });
    try {
      const room = await call(own.app, 'POST', '/', { token, body: { name: 'Outage', kind: 'coding' } });
      expect(room.status).toBe(201);
      await redis.stop();
      await eventually(async () => (await readiness(own.app)).body.checks.redis === 'down', 'redis reported down');
      const during = await call(own.app, 'GET', `/${room.body.room.id}`, { token });
      expect(during.status).toBe(503);
      expect(during.body).toEqual({ error: { code: 'UNAVAILABLE', message: 'The service is temporarily unavailable.' } });
      expect((await call(own.app, 'POST', `/${room.body.room.id}/join`, { token })).status).toBe(503);
      await redis.start();
      await eventually(async () => (await readiness(own.app)).status === 200, 'ready again');
      expect((await call(own.app, 'GET', `/${room.body.room.id}`, { token })).status).toBe(200);
    } finally {
      await own.stop();
      await redis.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps the lobby up from Redis while the MongoDB-wire server is down, answers 503 to writes, and recovers', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rooms-mongo-outage-'));
    const port = await findFreePort();
    const mongo: LocalComponent = mongoWireComponent({ port, dataDir: root, logDir: root });
    await mongo.start();
    const own = await startRoomsServer({ database: 'ignored', authJwksUrl: auth.jwksUrl, env: { MONGO_URL: mongoUrl(port, 'rooms_outage') } });
    try {
      const before = await call(own.app, 'POST', '/', { token, body: { name: 'Before outage', kind: 'coding' } });
      expect(before.status).toBe(201);
      await mongo.stop();
      await eventually(async () => (await readiness(own.app)).body.checks.mongo === 'down', 'mongo reported down');
      // The lobby and the room itself are read from the read model in Redis.
      const listed = await call(own.app, 'GET', '/', { token });
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((room: { id: string }) => room.id)).toEqual([before.body.room.id]);
      expect((await call(own.app, 'GET', `/${before.body.room.id}`, { token })).status).toBe(200);
      const response = await call(own.app, 'POST', '/', { token, body: { name: 'During outage', kind: 'coding' } });
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('UNAVAILABLE');
      await mongo.start();
      await eventually(async () => (await call(own.app, 'POST', '/', { token, body: { name: 'After outage', kind: 'coding' } })).status === 201, 'creation works again');
    } finally {
      await own.stop();
      await mongo.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
