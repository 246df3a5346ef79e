import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@meshcall/shared';
import type { BaseApp } from '@meshcall/server-kit';
import { PASSWORD, clientIp, listen, login, register, startAuth, testConfig, uniqueEmail, waitUntil } from './helpers.js';

const DATABASE = 'auth_sign_in_limit';
const MAX = 5;
const WINDOW_SECONDS = 900;
let app: BaseApp;
let replica: BaseApp;

beforeAll(async () => {
  const config = testConfig(DATABASE, { AUTH_RATE_LIMIT_MAX: String(MAX), AUTH_RATE_LIMIT_WINDOW: String(WINDOW_SECONDS) });
  // Two instances sharing one Redis, as two replicas behind the gateway would.
  app = await startAuth(config);
  replica = await startAuth(config);
});
afterAll(async () => {
  await app?.close();
  await replica?.close();
});

async function newAccount(): Promise<string> {
  const email = uniqueEmail('limited');
  expect((await register(app, { email })).statusCode).toBe(201);
  return email;
}

function expectRateLimited(response: Awaited<ReturnType<typeof login>>): void {
  expect(response.statusCode).toBe(429);
  expect(response.json()).toEqual({ error: { code: ErrorCode.RATE_LIMITED, message: expect.any(String) } });
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
}

describe('failed sign-ins', () => {
  it('do not count when they succeed: many correct sign-ins from one IP and account all pass', async () => {
    const email = await newAccount();
    const ip = clientIp();
    for (let i = 0; i < MAX * 3; i++) {
      expect((await login(app, email, PASSWORD, ip)).statusCode).toBe(200);
    }
  });

  it('are limited per account, whatever IP they come from, and then even the right password waits', async () => {
    const email = await newAccount();
    for (let i = 0; i < MAX; i++) {
      expect((await login(app, email, 'wrong password', clientIp())).statusCode).toBe(401);
    }
    expectRateLimited(await login(app, email, 'wrong password', clientIp()));
    expectRateLimited(await login(app, email, PASSWORD, clientIp()));

    // Other accounts are not affected.
    expect((await login(app, await newAccount(), PASSWORD, clientIp())).statusCode).toBe(200);
  });

  it('are limited per IP, across accounts', async () => {
    const ip = clientIp();
    for (let i = 0; i < MAX; i++) {
      expect((await login(app, await newAccount(), 'wrong password', ip)).statusCode).toBe(401);
    }
    const victim = await newAccount();
    expectRateLimited(await login(app, victim, PASSWORD, ip));
    // The same account from another address is fine.
    expect((await login(app, victim, PASSWORD, clientIp())).statusCode).toBe(200);
  });

  it('count for unknown emails exactly like for wrong passwords, so the limit does not reveal accounts', async () => {
    const nobody = uniqueEmail('nobody');
    for (let i = 0; i < MAX; i++) {
      expect((await login(app, nobody, 'guess', clientIp())).statusCode).toBe(401);
    }
    expectRateLimited(await login(app, nobody, 'guess', clientIp()));
  });

  it('hold across two replicas sharing Redis', async () => {
    const email = await newAccount();
    const ip = clientIp();
    for (let i = 0; i < MAX; i++) {
      const instance = i % 2 === 0 ? app : replica;
      expect((await login(instance, email, 'wrong password', ip)).statusCode).toBe(401);
    }
    expectRateLimited(await login(replica, email, PASSWORD, ip));
    expectRateLimited(await login(app, email, PASSWORD, ip));
  });

  it('cannot be multiplied by sending guesses concurrently: 20 at once get exactly MAX password checks', async () => {
    const email = await newAccount();
    const base = await listen(replica);
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const response = await fetch(`${base}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': clientIp() },
          body: JSON.stringify({ email, password: 'wrong password' }),
        });
        await response.body?.cancel();
        return response.status;
      }),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - MAX);
  });
});

describe('the limit window', () => {
  it('ends: after it, the account signs in again', async () => {
    const shortWindow = await startAuth(testConfig(DATABASE, { AUTH_RATE_LIMIT_MAX: '2', AUTH_RATE_LIMIT_WINDOW: '1' }));
    try {
      const email = uniqueEmail('window');
      expect((await register(shortWindow, { email })).statusCode).toBe(201);
      const ip = clientIp();
      await login(shortWindow, email, 'wrong password', ip);
      await login(shortWindow, email, 'wrong password', ip);
      const limited = await login(shortWindow, email, PASSWORD, ip);
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('1');
      await waitUntil('the window to end', async () => (await login(shortWindow, email, PASSWORD, ip)).statusCode === 200, 10_000);
    } finally {
      await shortWindow.close();
    }
  });
});
