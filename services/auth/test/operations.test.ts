import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ErrorCode } from '@meshcall/shared';
import type { BaseApp } from '@meshcall/server-kit';
import { findFreePort } from '@meshcall/stack';
import { PASSWORD, login, mongoUrlFor, register, startAuth, testConfig, uniqueEmail, waitUntil } from './helpers.js';

const DATABASE = 'auth_operations';
let app: BaseApp;

beforeAll(async () => {
  app = await startAuth(testConfig(DATABASE));
});
afterAll(async () => {
  await app?.close();
});

describe('probes, metrics and docs', () => {
  it('GET /healthz says the process is alive', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', service: 'auth' });
  });

  it('GET /readyz checks MongoDB and Redis', async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', service: 'auth', checks: { mongo: 'ok', redis: 'ok' } });
  });

  it('GET /metrics exposes request latency and sign-in outcomes for Prometheus', async () => {
    const email = uniqueEmail();
    await register(app, { email });
    await login(app, email, PASSWORD);
    await login(app, email, 'wrong password');
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toMatch(/^http_request_duration_seconds_count\{[^}]*route="\/login"[^}]*\} \d+/m);
    expect(response.body).toMatch(/^auth_sign_ins_total\{[^}]*outcome="success"[^}]*\} [1-9]/m);
    expect(response.body).toMatch(/^auth_sign_ins_total\{[^}]*outcome="invalid_credentials"[^}]*\} [1-9]/m);
    expect(response.body).toMatch(/^auth_registrations_total\{[^}]*outcome="created"[^}]*\} [1-9]/m);
  });

  it('GET /docs serves the OpenAPI UI, generated from the route schemas, for the gateway prefix', async () => {
    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');

    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(spec.servers).toEqual([{ url: '/api/auth' }]);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/register', '/login', '/refresh', '/logout', '/me', '/.well-known/jwks.json']));
    const registerBody = spec.paths['/register'].post.requestBody.content['application/json'].schema;
    expect(registerBody.required).toEqual(expect.arrayContaining(['name', 'email', 'password']));
    expect(registerBody.additionalProperties).toBe(false);
    expect(Object.keys(spec.paths['/login'].post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '429']));
  });

  it('answers an unknown route with 404 in the common error shape', async () => {
    const response = await app.inject({ method: 'GET', url: '/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe(ErrorCode.NOT_FOUND);
  });
});

describe('process lifecycle', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const port = await findFreePort();
    const serviceDir = fileURLToPath(new URL('..', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: serviceDir,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'auth-sigterm-')),
        MONGO_URL: mongoUrlFor(DATABASE),
        REDIS_URL: inject('redisUrl'),
        BCRYPT_COST: '4',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    await waitUntil('the server to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 30_000);

    // A sign-up whose body is still arriving when the signal comes: it is in flight.
    const body = JSON.stringify({ name: 'Ada', email: uniqueEmail('sigterm'), password: PASSWORD });
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      `POST /register HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    await sleep(300); // let the server read the head of the request
    child.kill('SIGTERM');
    await sleep(300);
    socket.write(body.slice(10));
    // The server closes this kept-alive connection itself once it has answered; otherwise it
    // could not finish closing and would miss its deadline.
    await closed;

    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(await exited).toBe(0);
  });
});
