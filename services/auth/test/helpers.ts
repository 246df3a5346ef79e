import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportPKCS8, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import { REFRESH_COOKIE_NAME } from '@meshcall/shared';
import type { BaseApp } from '@meshcall/server-kit';
import { buildApp } from '../src/app.js';
import { loadAuthConfig, type AuthConfig } from '../src/config.js';

export const PASSWORD = 'correct horse battery';

/** The URL of the shared server with a database of the suite's own, so suites never see each other's data. */
export function mongoUrlFor(database: string, base = inject('mongoUrl')): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

export interface TestKey {
  privatePem: string;
  publicPem: string;
  privateKey: CryptoKey;
}

/** A fresh ES256 key pair, as an operator would put it in AUTH_SIGNING_KEY / AUTH_PREVIOUS_PUBLIC_KEY. */
export async function newSigningKey(): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privatePem: await exportPKCS8(privateKey), publicPem: await exportSPKI(publicKey), privateKey };
}

/** Config through the real schema, as the process would read it, with the test cost of 4. */
export function testConfig(database: string, env: Record<string, string | undefined> = {}): AuthConfig {
  return loadAuthConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'auth-data-')),
    MONGO_URL: mongoUrlFor(database),
    REDIS_URL: inject('redisUrl'),
    BCRYPT_COST: '4',
    ...env,
  });
}

/** Polls until `check` holds; bounded in time so a broken service fails the test instead of hanging it. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Builds the app and waits until /readyz says its database and Redis answer. */
export async function startAuth(config: AuthConfig): Promise<BaseApp> {
  const app = await buildApp(config, { logger: false });
  await app.ready();
  await waitUntil('auth to be ready', async () => (await app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200);
  return app;
}

/** Listens on an ephemeral loopback port, for tests that need real concurrent connections. */
export async function listen(app: BaseApp): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID()}@example.test`;
}

/**
 * A client address of its own (sent as X-Forwarded-For, which the app trusts from loopback), so the
 * per-IP sign-in limit of one test never spills into another test or suite (they share Redis);
 * traffic still only goes to 127.0.0.1.
 */
export function clientIp(): string {
  return `10.${[...randomBytes(3)].join('.')}`;
}

export async function register(app: BaseApp, body: { name?: string; email?: string; password?: string } = {}) {
  return app.inject({
    method: 'POST',
    url: '/register',
    headers: { 'x-forwarded-for': clientIp() },
    payload: { name: body.name ?? 'Ada Lovelace', email: body.email ?? uniqueEmail(), password: body.password ?? PASSWORD },
  });
}

export async function login(app: BaseApp, email: string, password = PASSWORD, ip = clientIp()) {
  return app.inject({ method: 'POST', url: '/login', headers: { 'x-forwarded-for': ip }, payload: { email, password } });
}

/** The raw Set-Cookie header for the refresh cookie, exactly as a browser receives it. */
export function refreshSetCookie(response: LightMyRequestResponse): string | undefined {
  const header = response.headers['set-cookie'];
  const all = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return all.find((line) => line.startsWith(`${REFRESH_COOKIE_NAME}=`));
}

/** The refresh token the response set, or undefined. */
export function refreshTokenFrom(response: LightMyRequestResponse): string | undefined {
  const line = refreshSetCookie(response);
  const value = line?.slice(REFRESH_COOKIE_NAME.length + 1).split(';')[0];
  return value === '' ? undefined : value;
}

export async function refresh(app: BaseApp, token: string | undefined, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/refresh',
    headers: token === undefined ? headers : { ...headers, cookie: `${REFRESH_COOKIE_NAME}=${token}` },
  });
}

export async function me(app: BaseApp, accessToken: string) {
  return app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${accessToken}` } });
}
