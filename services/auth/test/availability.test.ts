import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@meshcall/shared';
import type { BaseApp } from '@meshcall/server-kit';
import { startBackingServices, type BackingServices, type LocalComponent } from '@meshcall/stack';
import { buildApp } from '../src/app.js';
import { PASSWORD, login, mongoUrlFor, refresh, refreshTokenFrom, register, testConfig, uniqueEmail, waitUntil } from './helpers.js';

/*
 * This suite stops and starts its dependencies, so it runs its own MongoDB-wire server and Redis
 * (through the same launcher as the global setup) instead of the shared ones.
 */
let backing: BackingServices;
let mongo: LocalComponent;
let redis: LocalComponent;
let app: BaseApp;

beforeAll(async () => {
  backing = await startBackingServices({ env: {} });
  mongo = backing.mongo!;
  redis = backing.redis!;
});
afterAll(async () => {
  await app?.close();
  await backing?.stop();
});

async function readiness() {
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  return { status: response.statusCode, checks: response.json().checks as Record<string, string> };
}

function expectUnavailable(response: Awaited<ReturnType<typeof login>>): void {
  expect(response.statusCode).toBe(503);
  // Generic: no driver message, host name or stack trace reaches the client.
  expect(response.json()).toEqual({ error: { code: ErrorCode.UNAVAILABLE, message: 'The service is temporarily unavailable.' } });
}

describe('when MongoDB is down', () => {
  it('starts anyway, reports not ready and answers 503 until the database comes up', async () => {
    await mongo.stop();
    app = await buildApp(testConfig('auth_availability', { MONGO_URL: mongoUrlFor('auth_availability', backing.mongoUrl), REDIS_URL: backing.redisUrl }), {
      logger: false,
    });
    await app.ready();

    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect(await readiness()).toEqual({ status: 503, checks: { mongo: 'down', redis: 'ok' } });
    expectUnavailable(await login(app, uniqueEmail()));
    expectUnavailable(await register(app));

    await mongo.start();
    await waitUntil('readiness after MongoDB started', async () => (await readiness()).status === 200);
    const email = uniqueEmail();
    expect((await register(app, { email })).statusCode).toBe(201);
    expect((await login(app, email)).statusCode).toBe(200);
  });

  it('answers 503 during an outage after start, keeps sessions intact, and recovers', async () => {
    const email = uniqueEmail();
    const signedUp = await register(app, { email });
    const refreshToken = refreshTokenFrom(signedUp)!;
    const accessToken = signedUp.json().accessToken as string;

    await mongo.stop();
    await waitUntil('readiness to notice the outage', async () => (await readiness()).status === 503);
    expect((await readiness()).checks).toEqual({ mongo: 'down', redis: 'ok' });
    expectUnavailable(await login(app, email));
    expectUnavailable(await refresh(app, refreshToken));
    expectUnavailable(await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${accessToken}` } }));

    await mongo.start();
    await waitUntil('readiness after MongoDB restarted', async () => (await readiness()).status === 200);
    expect((await login(app, email, PASSWORD)).statusCode).toBe(200);
    // The refresh attempted during the outage did not spend the token.
    expect((await refresh(app, refreshToken)).statusCode).toBe(200);
  });
});

describe('when Redis is down', () => {
  it('reports not ready, refuses sign-ins with 503 rather than skipping the limit, and recovers', async () => {
    const email = uniqueEmail();
    expect((await register(app, { email })).statusCode).toBe(201);

    await redis.stop();
    await waitUntil('readiness to notice the outage', async () => (await readiness()).status === 503);
    expect((await readiness()).checks).toEqual({ mongo: 'ok', redis: 'down' });
    expectUnavailable(await login(app, email));

    await redis.start();
    await waitUntil('readiness after Redis restarted', async () => (await readiness()).status === 200);
    expect((await login(app, email)).statusCode).toBe(200);
  });
});
