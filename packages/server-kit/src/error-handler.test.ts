import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, ErrorCode } from '@meshcall/shared';
import { createBaseApp } from './base-app.js';
import { registerHealthRoutes } from './health.js';

const app = createBaseApp({ service: 'test', logLevel: 'silent', trustProxy: false, bodyLimit: 1024, logger: false });

beforeAll(async () => {
  app.post('/echo', { schema: { body: z.strictObject({ name: z.string().min(2) }) } }, async (request) => request.body);
  app.get('/refuse', async () => {
    throw new AppError(ErrorCode.ROOM_LOCKED);
  });
  app.get('/crash', async () => {
    throw new Error('connect ECONNREFUSED 10.1.2.3:27017 password=hunter2');
  });
  app.get('/db-down', async () => {
    const error = new Error('Server selection timed out after 2000 ms');
    error.name = 'MongoServerSelectionError';
    throw error;
  });
  let dependencyUp = true;
  app.post('/toggle', async () => {
    dependencyUp = !dependencyUp;
    return { dependencyUp };
  });
  registerHealthRoutes(app, 'test', {
    database: async () => dependencyUp,
    hangs: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 200)),
  });
  await app.ready();
});
afterAll(() => app.close());

describe('error handling', () => {
  it('answers schema violations with 400 and field details', async () => {
    const response = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'a', extra: true } });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error.code).toBe('INVALID_PAYLOAD');
    expect(body.error.details.map((d: { path: string }) => d.path)).toContain('body.name');
  });

  it('refuses operator objects where a string is expected', async () => {
    const response = await app.inject({ method: 'POST', url: '/echo', payload: { name: { $ne: null } } });
    expect(response.statusCode).toBe(400);
  });

  it('sends AppErrors with their status and code', async () => {
    const response = await app.inject({ method: 'GET', url: '/refuse' });
    expect(response.statusCode).toBe(423);
    expect(response.json()).toEqual({ error: { code: 'ROOM_LOCKED', message: 'The room is locked.' } });
  });

  it('hides the cause of unexpected errors', async () => {
    const response = await app.inject({ method: 'GET', url: '/crash' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'INTERNAL', message: 'Something went wrong on our side.' } });
    expect(response.body).not.toMatch(/10\.1\.2\.3|hunter2|at /);
  });

  it('reports a database outage as 503, not 500', async () => {
    const response = await app.inject({ method: 'GET', url: '/db-down' });
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('UNAVAILABLE');
  });

  it('answers malformed JSON, oversized bodies and unknown routes in the same shape', async () => {
    const badJson = await app.inject({ method: 'POST', url: '/echo', payload: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('INVALID_PAYLOAD');
    const tooLarge = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'x'.repeat(2000) } });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const missing = await app.inject({ method: 'GET', url: '/nowhere?secret=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /nowhere' } });
  });
});

describe('health', () => {
  it('is alive regardless of dependencies and ready only when they answer', async () => {
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'ok',
      service: 'test',
      checks: { database: 'ok', hangs: 'ok' },
    });
    await app.inject({ method: 'POST', url: '/toggle' });
    const notReady = await app.inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().checks).toEqual({ database: 'down', hangs: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await app.inject({ method: 'POST', url: '/toggle' });
  });
});
