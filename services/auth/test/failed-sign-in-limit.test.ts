import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ErrorCode } from '@meshcall/shared';
import type { BaseApp } from '@meshcall/server-kit';
import { DEVICE_COOKIE_PREFIX } from '../src/plugins/device-cookie.js';
import { PASSWORD, clientIp, listen, register, startAuth, testConfig, uniqueEmail, waitUntil } from './helpers.js';

const DATABASE = 'auth_sign_in_limit';
const FREE = 5;
const BACKOFF_BASE = 60;
const ADDRESS_MAX = 12;
let app: BaseApp;
let replica: BaseApp;

const limits = {
  AUTH_SIGN_IN_FREE_FAILURES: String(FREE),
  AUTH_SIGN_IN_BACKOFF_BASE: String(BACKOFF_BASE),
  AUTH_SIGN_IN_ADDRESS_MAX: String(ADDRESS_MAX),
};

beforeAll(async () => {
  const config = testConfig(DATABASE, limits);
  // Two instances sharing one Redis, as two replicas behind the gateway would.
  app = await startAuth(config);
  replica = await startAuth(config);
});
afterAll(async () => {
  await app?.close();
  await replica?.close();
});

/** The `name=value` of the device cookie a response set, ready for a Cookie header. */
function deviceCookieFrom(response: LightMyRequestResponse): string {
  const header = response.headers['set-cookie'];
  const all = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const line = all.find((l) => l.startsWith(DEVICE_COOKIE_PREFIX));
  if (!line) throw new Error('no device cookie was set');
  return line.split(';')[0]!;
}

async function login(instance: BaseApp, email: string, password: string, ip: string, cookie?: string) {
  return instance.inject({
    method: 'POST',
    url: '/login',
    headers: { 'x-forwarded-for': ip, ...(cookie ? { cookie } : {}) },
    payload: { email, password },
  });
}

/** A new account and the device cookie of the browser that signed it up. */
async function newAccount(instance = app): Promise<{ email: string; device: string }> {
  const email = uniqueEmail('limited');
  const response = await register(instance, { email });
  expect(response.statusCode).toBe(201);
  return { email, device: deviceCookieFrom(response) };
}

function expectRateLimited(response: LightMyRequestResponse, retryAfterAtMost = BACKOFF_BASE): void {
  expect(response.statusCode).toBe(429);
  expect(response.json()).toEqual({ error: { code: ErrorCode.RATE_LIMITED, message: expect.stringContaining('try again in') } });
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(retryAfterAtMost);
}

describe('an attacker who knows only the email', () => {
  it('cannot lock the owner out: guesses from other addresses leave the owner signing in, even from a new browser', async () => {
    const { email } = await newAccount();
    const attacker = clientIp();
    for (let i = 0; i < FREE; i++) expect((await login(app, email, 'wrong password', attacker)).statusCode).toBe(401);
    expectRateLimited(await login(app, email, 'wrong password', attacker));
    // Guesses spread over many addresses do not add up against the owner either.
    for (let i = 0; i < FREE * 2; i++) expect((await login(app, email, 'wrong password', clientIp())).statusCode).toBe(401);

    expect((await login(app, email, PASSWORD, clientIp())).statusCode).toBe(200);
  });

  it('cannot lock out a browser that signed in before, even guessing from the same address (one NAT)', async () => {
    const { email, device } = await newAccount();
    const sharedAddress = clientIp();
    for (let i = 0; i < FREE; i++) expect((await login(app, email, 'wrong password', sharedAddress)).statusCode).toBe(401);
    expectRateLimited(await login(app, email, PASSWORD, sharedAddress));

    const owner = await login(app, email, PASSWORD, sharedAddress, device);
    expect(owner.statusCode).toBe(200);
    // Signing in renews the device cookie.
    expect(deviceCookieFrom(owner)).not.toBe(device);
  });
});

describe('the device cookie', () => {
  it('is HttpOnly, SameSite=Strict, scoped to /api/auth and lives 180 days by default', async () => {
    const response = await register(app);
    const header = response.headers['set-cookie'];
    const line = (Array.isArray(header) ? header : [header]).find((l) => l?.startsWith(DEVICE_COOKIE_PREFIX))!;
    const attributes = line.split(';').slice(1).map((a) => a.trim());
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/api/auth', `Max-Age=${180 * 24 * 3600}`]));
  });

  it('counts only for the account it names: another account’s cookie, or a forged one, is anonymous', async () => {
    const { email, device } = await newAccount();
    const other = await newAccount();
    const ip = clientIp();
    for (let i = 0; i < FREE; i++) expect((await login(app, email, 'wrong password', ip)).statusCode).toBe(401);

    const [ourName, ourValue] = device.split('=') as [string, string];
    const [, otherValue] = other.device.split('=') as [string, string];
    // The other account's cookie as it is, and moved to the name this account's cookie has.
    expectRateLimited(await login(app, email, PASSWORD, ip, other.device));
    expectRateLimited(await login(app, email, PASSWORD, ip, `${ourName}=${otherValue}`));
    // This account's cookie with its signature altered.
    const tampered = `${ourName}=${ourValue.slice(0, -2)}${ourValue.endsWith('AA') ? 'BB' : 'AA'}`;
    expectRateLimited(await login(app, email, PASSWORD, ip, tampered));
  });

  it('has a bucket of its own that backs off too, so a stolen cookie does not give unlimited guesses', async () => {
    const { email, device } = await newAccount();
    for (let i = 0; i < FREE; i++) expect((await login(app, email, 'wrong password', clientIp(), device)).statusCode).toBe(401);
    expectRateLimited(await login(app, email, PASSWORD, clientIp(), device));
    // Anonymous attempts from a fresh address are not held back by the device's bucket.
    expect((await login(app, email, PASSWORD, clientIp())).statusCode).toBe(200);
  });
});

describe('failed sign-ins', () => {
  it('do not count when they succeed: many correct sign-ins from one address and account all pass', async () => {
    const { email } = await newAccount();
    const ip = clientIp();
    for (let i = 0; i < FREE * 3; i++) expect((await login(app, email, PASSWORD, ip)).statusCode).toBe(200);
  });

  it('are limited per address across accounts (spraying), except for browsers that signed in before', async () => {
    const ip = clientIp();
    for (let i = 0; i < ADDRESS_MAX; i++) {
      expect((await login(app, (await newAccount()).email, 'wrong password', ip)).statusCode).toBe(401);
    }
    const victim = await newAccount();
    expectRateLimited(await login(app, victim.email, PASSWORD, ip), 900);
    expect((await login(app, victim.email, PASSWORD, ip, victim.device)).statusCode).toBe(200);
    // The same account from another address is fine.
    expect((await login(app, victim.email, PASSWORD, clientIp())).statusCode).toBe(200);
  });

  it('count for unknown emails exactly like for wrong passwords, so the limit does not reveal accounts', async () => {
    const nobody = uniqueEmail('nobody');
    const ip = clientIp();
    for (let i = 0; i < FREE; i++) expect((await login(app, nobody, 'guess', ip)).statusCode).toBe(401);
    expectRateLimited(await login(app, nobody, 'guess', ip));
  });

  it('hold across two replicas sharing Redis', async () => {
    const { email } = await newAccount();
    const ip = clientIp();
    for (let i = 0; i < FREE; i++) {
      const instance = i % 2 === 0 ? app : replica;
      expect((await login(instance, email, 'wrong password', ip)).statusCode).toBe(401);
    }
    expectRateLimited(await login(replica, email, PASSWORD, ip));
    expectRateLimited(await login(app, email, PASSWORD, ip));
  });

  it('cannot be multiplied by sending guesses concurrently: 20 at once get exactly FREE password checks', async () => {
    const { email } = await newAccount();
    const base = await listen(replica);
    const ip = clientIp();
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const response = await fetch(`${base}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
          body: JSON.stringify({ email, password: 'wrong password' }),
        });
        await response.body?.cancel();
        return response.status;
      }),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(FREE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - FREE);
  });
});

describe('the backoff', () => {
  it('doubles with each failure past the free ones, lets one attempt through after each wait, and a success resets it', async () => {
    const quick = await startAuth(testConfig(DATABASE, { AUTH_SIGN_IN_FREE_FAILURES: '2', AUTH_SIGN_IN_BACKOFF_BASE: '1' }));
    try {
      const email = uniqueEmail('backoff');
      expect((await register(quick, { email })).statusCode).toBe(201);
      const ip = clientIp();
      const retryAfter = (response: LightMyRequestResponse) => (response.statusCode === 429 ? Number(response.headers['retry-after']) : 0);

      expect((await login(quick, email, 'wrong password', ip)).statusCode).toBe(401);
      expect((await login(quick, email, 'wrong password', ip)).statusCode).toBe(401);
      expect(retryAfter(await login(quick, email, PASSWORD, ip))).toBe(1);
      // After the wait exactly one more guess is judged, and the next wait is twice as long.
      await waitUntil('the first wait to end', async () => (await login(quick, email, 'wrong password', ip)).statusCode === 401, 10_000);
      const second = retryAfter(await login(quick, email, PASSWORD, ip));
      expect(second).toBeGreaterThan(1);
      expect(second).toBeLessThanOrEqual(2);
      await waitUntil('the second wait to end', async () => (await login(quick, email, PASSWORD, ip)).statusCode === 200, 10_000);
      // The right password started the bucket over: the free failures are available again.
      expect((await login(quick, email, 'wrong password', ip)).statusCode).toBe(401);
      expect((await login(quick, email, 'wrong password', ip)).statusCode).toBe(401);
      expect(retryAfter(await login(quick, email, PASSWORD, ip))).toBe(1);
    } finally {
      await quick.close();
    }
  });
});
