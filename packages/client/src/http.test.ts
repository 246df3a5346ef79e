import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpTransport } from './http.js';

/** A real HTTP server on loopback with a few canned answers, so fetch, headers and timeouts are real. */
let server: Server;
let baseUrl: string;
const seen: Array<{ url: string; headers: Record<string, string | string[] | undefined> }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', headers: request.headers });
    if (request.url === '/slow') return void setTimeout(() => response.end('{}'), 2_000);
    if (request.url === '/gateway-down') return void response.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
    if (request.url === '/refused') return void response.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'ROOM_FULL', message: 'The room is full.' } }));
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n: request.url === '/odd' ? 'one' : 1 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const numberBody = z.object({ n: z.number() });

describe('HttpTransport', () => {
  it('sends the Origin and bearer token and returns the body its schema accepted', async () => {
    const http = new HttpTransport({ baseUrl });
    expect((await http.request('/ok', { token: 'tok', schema: numberBody })).body).toEqual({ n: 1 });
    expect(seen.at(-1)?.headers).toMatchObject({ origin: baseUrl, authorization: 'Bearer tok' });
  });

  it('turns every failure into a MeshcallError with a code', async () => {
    const http = new HttpTransport({ baseUrl, timeoutMs: 300 });
    await expect(http.request('/refused')).rejects.toMatchObject({ code: 'ROOM_FULL', status: 409, message: 'The room is full.' });
    await expect(http.request('/gateway-down')).rejects.toMatchObject({ code: 'BAD_GATEWAY', status: 502 });
    await expect(http.request('/odd', { schema: numberBody })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    await expect(http.request('/slow')).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(new HttpTransport({ baseUrl: 'http://127.0.0.1:9' }).request('/')).rejects.toMatchObject({ code: 'NETWORK' });
  });

  it("passes the caller's own abort through as it is", async () => {
    const controller = new AbortController();
    const pending = new HttpTransport({ baseUrl }).request('/slow', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
