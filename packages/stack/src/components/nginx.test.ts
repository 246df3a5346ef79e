import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server as SocketIoServer } from 'socket.io';
import { io as connectSocketIo, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { LocalComponent } from '../component.js';
import { findFreePort } from '../ports.js';
import {
  checkNginxConfig,
  gatewayComponent,
  infraDir,
  renderTemplate,
  templateVariables,
  webServerComponent,
  writeGatewayConfig,
  writeWebServerConfig,
  type GatewayOptions,
} from './nginx.js';

/** What a stand-in upstream saw of one request. */
interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/**
 * A stand-in for a service behind the gateway: answers every request with its own name and what
 * it received, so a test sees which upstream got the request and with which path and headers.
 */
interface StandInUpstream {
  name: string;
  port: number;
  server: Server;
  seen: SeenRequest[];
  listen(): Promise<void>;
  close(): Promise<void>;
}

function standInUpstream(name: string, port: number): StandInUpstream {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      res.setHeader('content-type', 'application/json');
      // As a service with helmet does: the gateway must answer with its own values, once each.
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      res.end(JSON.stringify({ upstream: name, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  return {
    name,
    port,
    server,
    seen,
    listen: () => new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve())),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface EchoReply {
  upstream: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const WAIT_MS = 10_000;

function once<T>(what: string, subscribe: (resolve: (value: T) => void, reject: (error: Error) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
    subscribe(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function socketConnected(socket: ClientSocket): Promise<void> {
  return once('a Socket.IO connection', (resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
}

function whoami(socket: ClientSocket): Promise<string> {
  return socket.timeout(WAIT_MS).emitWithAck('whoami') as Promise<string>;
}

function webSocketMessage(socket: WebSocket): Promise<string> {
  return once('a WebSocket message', (resolve, reject) => {
    socket.once('message', (data: Buffer) => resolve(data.toString()));
    socket.once('error', reject);
  });
}

describe('gateway (nginx) with stand-in upstreams', () => {
  const root = mkdtempSync(join(tmpdir(), 'meshcall-gateway-test-'));
  const buildDir = join(root, 'web-build');
  let gatewayPort: number;
  let base: string;
  let auth: StandInUpstream;
  let rooms: StandInUpstream;
  let liveSockets: WebSocketServer;
  const signaling: Array<{ name: string; server: Server; io: SocketIoServer; port: number }> = [];
  const components: LocalComponent[] = [];
  const clients: Array<{ close(): void }> = [];

  beforeAll(async () => {
    mkdirSync(join(buildDir, '_app', 'immutable'), { recursive: true });
    writeFileSync(join(buildDir, 'index.html'), '<!doctype html><title>meshcall</title><div id="app-shell"></div>');
    writeFileSync(join(buildDir, '_app', 'immutable', 'entry.abc123.js'), 'export const hashed = true;');

    auth = standInUpstream('auth', await findFreePort());
    rooms = standInUpstream('rooms', await findFreePort());
    // The lobby's live WebSocket: greets with the path it was reached on, then echoes.
    liveSockets = new WebSocketServer({ server: rooms.server, path: '/live' });
    liveSockets.on('connection', (socket, req) => {
      socket.send(JSON.stringify({ upstream: 'rooms', url: req.url }));
      socket.on('message', (data: Buffer) => socket.send(`echo:${data.toString()}`));
    });
    await Promise.all([auth.listen(), rooms.listen()]);

    for (const name of ['signaling-1', 'signaling-2', 'signaling-3']) {
      const port = await findFreePort();
      const upstream = standInUpstream(name, port);
      // A real Socket.IO server, so long-polling only works when every request of a session
      // reaches the replica that created it.
      const io = new SocketIoServer(upstream.server);
      io.on('connection', (socket) => socket.on('whoami', (ack: (replica: string) => void) => ack(name)));
      await upstream.listen();
      signaling.push({ name, server: upstream.server, io, port });
    }

    const webPort = await findFreePort();
    const web = webServerComponent({ port: webPort, root: buildDir, runDir: join(root, 'run'), logDir: join(root, 'logs') });
    await web.start();
    components.push(web);

    gatewayPort = await findFreePort();
    base = `http://127.0.0.1:${gatewayPort}`;
    const gateway = gatewayComponent({
      port: gatewayPort,
      upstreams: {
        auth: [`127.0.0.1:${auth.port}`],
        rooms: [`127.0.0.1:${rooms.port}`],
        signaling: signaling.map((replica) => `127.0.0.1:${replica.port}`),
        web: `127.0.0.1:${webPort}`,
      },
      runDir: join(root, 'run'),
      logDir: join(root, 'logs'),
    });
    await gateway.start();
    components.push(gateway);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(components.map((component) => component.stop()));
    for (const replica of signaling) {
      await new Promise<void>((resolve) => replica.io.close(() => resolve()));
    }
    liveSockets?.close();
    await Promise.all([auth?.close(), rooms?.close()]);
    rmSync(root, { recursive: true, force: true });
  });

  async function get(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; text: string }> {
    const response = await fetch(`${base}${path}`, { ...init, redirect: 'manual', signal: AbortSignal.timeout(WAIT_MS) });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  async function echo(path: string, init?: RequestInit): Promise<EchoReply> {
    const response = await get(path, init);
    expect(response.status, `${path}: ${response.text}`).toBe(200);
    return JSON.parse(response.text) as EchoReply;
  }

  it('strips the service prefix for /api/auth, /api/rooms and /api/signaling', async () => {
    expect(await echo('/api/auth/me?fields=name')).toMatchObject({ upstream: 'auth', url: '/me?fields=name' });
    expect(await echo('/api/auth/.well-known/jwks.json')).toMatchObject({ upstream: 'auth', url: '/.well-known/jwks.json' });
    expect(await echo('/api/rooms/r1/join', { method: 'POST', body: '{}' })).toMatchObject({ upstream: 'rooms', method: 'POST', url: '/r1/join' });
    // Listing and creating rooms use the bare prefix; a redirect would turn the POST into a GET.
    expect(await echo('/api/rooms?kind=game')).toMatchObject({ upstream: 'rooms', method: 'GET', url: '/?kind=game' });
    expect(await echo('/api/rooms', { method: 'POST', body: '{"name":"x"}' })).toMatchObject({ upstream: 'rooms', method: 'POST', url: '/', body: '{"name":"x"}' });
    const signalingReply = await echo('/api/signaling/healthz');
    expect(signalingReply.upstream).toMatch(/^signaling-[123]$/);
    expect(signalingReply.url).toBe('/healthz');
  });

  it('passes sign-in, sign-up and guest sessions to auth as /login, /register and /guest', async () => {
    expect(await echo('/api/auth/login', { method: 'POST', body: '{"email":"a@b.c"}' })).toMatchObject({ upstream: 'auth', url: '/login', body: '{"email":"a@b.c"}' });
    expect(await echo('/api/auth/register', { method: 'POST', body: '{}' })).toMatchObject({ upstream: 'auth', url: '/register' });
    expect(await echo('/api/auth/guest', { method: 'POST', body: '{"name":"Ada"}' })).toMatchObject({ upstream: 'auth', url: '/guest', body: '{"name":"Ada"}' });
  });

  it('keeps the /socket.io/ path: a Socket.IO handshake reaches a signaling replica', async () => {
    const handshake = await get('/socket.io/?EIO=4&transport=polling');
    expect(handshake.status).toBe(200);
    // Engine.IO's open packet: "0" followed by the session description.
    expect(handshake.text).toMatch(/^0\{"sid":"/);
  });

  it('serves the web build at /, with the app shell for client-side routes', async () => {
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('app-shell');
    expect(home.headers.get('cache-control')).toBe('no-cache');
    const deepLink = await get('/rooms/abc123');
    expect(deepLink.status).toBe(200);
    expect(deepLink.text).toContain('app-shell');
  });

  it('caches hashed assets for a year and answers 404 for a missing one instead of the app shell', async () => {
    const asset = await get('/_app/immutable/entry.abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await get('/_app/immutable/gone.js');
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain('app-shell');
  });

  it('answers unknown API paths and service metrics with a JSON 404 that never reaches a service', async () => {
    const before = auth.seen.length;
    for (const path of ['/api/nothing-here', '/api/auth/metrics']) {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(JSON.parse(response.text)).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found' } });
    }
    expect(auth.seen.length).toBe(before);
  });

  it('tells the services who the client is, replacing a forged X-Forwarded-For, with one request id', async () => {
    const response = await get('/api/auth/me', { headers: { 'x-forwarded-for': '203.0.113.9', 'x-request-id': 'chosen-by-client' } });
    const reply = JSON.parse(response.text) as EchoReply;
    expect(reply.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(reply.headers['x-real-ip']).toBe('127.0.0.1');
    expect(reply.headers['x-forwarded-proto']).toBe('http');
    expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get('x-request-id')).toBe(reply.headers['x-request-id']);
  });

  it('sends the security headers on pages and API answers alike', async () => {
    for (const path of ['/', '/api/auth/me', '/api/nothing-here']) {
      const { headers } = await get(path);
      const csp = headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain(`connect-src 'self' ws://127.0.0.1:${gatewayPort} wss://127.0.0.1:${gatewayPort}`);
      expect(csp, path).toContain("default-src 'self'");
      expect(headers.get('permissions-policy'), path).toContain('camera=(self), microphone=(self), display-capture=(self)');
      expect(headers.get('referrer-policy'), path).toBe('same-origin');
      expect(headers.get('x-content-type-options'), path).toBe('nosniff');
      // Over plain HTTP a Strict-Transport-Security header would be ignored at best.
      expect(headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('does not echo a malformed Host into the CSP', async () => {
    const { headers } = await new Promise<{ headers: IncomingMessage['headers'] }>((resolve, reject) => {
      // fetch() refuses to set Host, so this one goes through node:http.
      void import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port: gatewayPort, path: '/', headers: { host: "evil;script-src_'unsafe-eval'" } }, (res) => {
          res.resume();
          resolve({ headers: res.headers });
        });
        req.on('error', reject);
        req.end();
      });
    });
    expect(headers['content-security-policy']).toContain("connect-src 'self' ;");
    expect(headers['content-security-policy']).not.toContain('evil');
  });

  it('upgrades /api/rooms/live to a WebSocket reaching rooms at /live', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${gatewayPort}/api/rooms/live?since=0`);
    clients.push(socket);
    const greeting = JSON.parse(await webSocketMessage(socket)) as { upstream: string; url: string };
    expect(greeting).toEqual({ upstream: 'rooms', url: '/live?since=0' });
    socket.send('ping');
    expect(await webSocketMessage(socket)).toBe('echo:ping');
    socket.close();
  });

  it('spreads WebSocket-only Socket.IO sessions over the replicas by live connections', async () => {
    const sockets: ClientSocket[] = [];
    for (let i = 0; i < 6; i++) {
      const socket = connectSocketIo(base, { transports: ['websocket'], reconnection: false, forceNew: true });
      clients.push(socket);
      sockets.push(socket);
      await socketConnected(socket);
    }
    const replicas = await Promise.all(sockets.map((socket) => whoami(socket)));
    const perReplica = new Map<string, number>();
    for (const replica of replicas) perReplica.set(replica, (perReplica.get(replica) ?? 0) + 1);
    expect(Object.fromEntries(perReplica)).toEqual({ 'signaling-1': 2, 'signaling-2': 2, 'signaling-3': 2 });
    // A session is one connection and stays where it landed.
    for (const [index, socket] of sockets.entries()) {
      for (let round = 0; round < 3; round++) expect(await whoami(socket)).toBe(replicas[index]);
    }
    for (const socket of sockets) socket.close();
  });

  it('keeps every request of a long-polling session on its replica, without pinning all clients to one', async () => {
    const replicasSeen = new Set<string>();
    // Affinity keys are random: with 12 sessions, all on one of 3 replicas has odds of 3 in 531441.
    for (let i = 0; i < 12; i++) {
      // withCredentials gives the Node client a cookie jar, as a browser has.
      const socket = connectSocketIo(base, { transports: ['polling'], withCredentials: true, reconnection: false, forceNew: true });
      clients.push(socket);
      await socketConnected(socket);
      const first = await whoami(socket);
      // Each acknowledgement travels over new polling requests: all must reach the same replica,
      // or Socket.IO would answer "Session ID unknown" and the client would disconnect.
      for (let round = 0; round < 3; round++) expect(await whoami(socket)).toBe(first);
      expect(socket.connected).toBe(true);
      replicasSeen.add(first);
      socket.close();
    }
    expect(replicasSeen.size).toBeGreaterThan(1);
  });

  it('lets a polling session upgrade to WebSocket on the same replica', async () => {
    const socket = connectSocketIo(base, { transports: ['polling', 'websocket'], withCredentials: true, reconnection: false, forceNew: true });
    clients.push(socket);
    await socketConnected(socket);
    const first = await whoami(socket);
    await once<void>('the upgrade to WebSocket', (resolve) => {
      if (socket.io.engine.transport.name === 'websocket') resolve();
      socket.io.engine.once('upgrade', () => resolve());
    });
    expect(socket.io.engine.transport.name).toBe('websocket');
    expect(await whoami(socket)).toBe(first);
    socket.close();
  });

  it('refuses bodies over the API limit with a JSON 413', async () => {
    const response = await get('/api/rooms/r1/join', { method: 'POST', body: 'x'.repeat(100 * 1024) });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('answers a JSON 502 under /api when the service is down', async () => {
    await auth.close();
    try {
      const response = await get('/api/auth/me');
      expect(response.status).toBe(502);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(JSON.parse(response.text)).toMatchObject({ error: { code: 'BAD_GATEWAY' } });
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    } finally {
      await auth.listen();
    }
    expect(await echo('/api/auth/me')).toMatchObject({ upstream: 'auth' });
  });

  it('answers a burst of sign-ins from one address with 429 and a JSON body, sparing the auth service', async () => {
    const loginsBefore = auth.seen.filter((request) => request.url === '/login').length;
    const statuses: number[] = [];
    let limited: { text: string; headers: Headers } | undefined;
    for (let i = 0; i < 25; i++) {
      const response = await get('/api/auth/login', { method: 'POST', body: '{"email":"a@b.c","password":"wrong"}' });
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    const passed = statuses.filter((status) => status === 200).length;
    expect(passed).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    expect(limited?.headers.get('content-type')).toBe('application/json');
    expect(limited?.headers.get('retry-after')).toBe('60');
    expect(JSON.parse(limited?.text ?? '{}')).toEqual({ error: { code: 'RATE_LIMITED', message: 'Too many attempts; wait a minute and try again' } });
    expect(auth.seen.filter((request) => request.url === '/login').length - loginsBefore).toBe(passed);
  });

  it('counts guest sessions in the same per-address zone as sign-ins: after the burst above they are refused too', async () => {
    const guestsBefore = auth.seen.filter((request) => request.url === '/guest').length;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await get('/api/auth/guest', { method: 'POST', body: '{"roomId":"abcdefghij","name":"Ada"}' })).status);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(10);
    expect(auth.seen.filter((request) => request.url === '/guest').length - guestsBefore).toBe(statuses.filter((status) => status === 200).length);
  });
});

describe('gateway configuration', () => {
  const root = mkdtempSync(join(tmpdir(), 'meshcall-gateway-config-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const options = (name: string): GatewayOptions => ({
    port: 18080,
    upstreams: { auth: ['127.0.0.1:18081'], rooms: ['127.0.0.1:18082'], signaling: ['127.0.0.1:18083', '127.0.0.1:18084'], web: '127.0.0.1:18085' },
    runDir: join(root, name),
    logDir: join(root, 'logs'),
  });

  it('renders gateway and web configs that `nginx -t` accepts', async () => {
    const gateway = await checkNginxConfig(writeGatewayConfig(options('gateway')));
    expect(gateway.output).toContain('test is successful');
    expect(gateway.ok).toBe(true);
    mkdirSync(join(root, 'build'), { recursive: true });
    const web = await checkNginxConfig(writeWebServerConfig({ port: 18085, root: join(root, 'build'), runDir: join(root, 'web'), logDir: join(root, 'logs') }));
    expect(web.output).toContain('test is successful');
    expect(web.ok).toBe(true);
  });

  it('listens on the GATEWAY_BIND address and takes SIGN_IN_RATE, IPv6 in brackets', async () => {
    for (const [host, listen] of [
      ['0.0.0.0', 'listen 0.0.0.0:18080 default_server;'],
      ['::1', 'listen [::1]:18080 default_server;'],
    ] as const) {
      const name = `bind-${host.replace(/[^0-9a-z]/g, '_')}`;
      const instance = writeGatewayConfig({ ...options(name), host, signInRate: '5r/s' });
      const rendered = readFileSync(join(root, name, 'gateway.conf'), 'utf8');
      expect(rendered).toContain(listen);
      expect(rendered).toContain('zone=credentials:10m rate=5r/s;');
      expect((await checkNginxConfig(instance)).ok).toBe(true);
    }
    expect(() => writeGatewayConfig({ ...options('bad-rate'), signInRate: '30 per minute' })).toThrow(`signInRate '30 per minute' is not like "30r/m"`);
  });

  it('reports a broken config through `nginx -t` instead of starting it', async () => {
    const instance = writeGatewayConfig(options('broken'));
    writeFileSync(join(root, 'broken', 'gateway.conf'), `${readFileSync(join(root, 'broken', 'gateway.conf'), 'utf8')}\nlocation_without_server;\n`);
    const result = await checkNginxConfig(instance);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('location_without_server');
  });

  it('refuses upstream addresses that are not host:port, so nothing else reaches the config', () => {
    const bad = options('bad');
    bad.upstreams.auth = ['127.0.0.1:1; include /etc/passwd'];
    expect(() => writeGatewayConfig(bad)).toThrow(/auth upstream .* is not host:port/);
  });

  it('renderTemplate names every variable left without a value', () => {
    expect(renderTemplate('listen ${PORT}; root ${ROOT}; $host', { PORT: '80', ROOT: '/srv' })).toBe('listen 80; root /srv; $host');
    expect(() => renderTemplate('${A} ${B} ${A} ${C}', { B: 'b' })).toThrow('template variables without a value: A, C');
  });

  it('uses only ${VAR} placeholders, so envsubst in the nginx image and the launcher render alike', () => {
    const gateway = readFileSync(join(infraDir, 'nginx', 'templates', 'gateway.conf.template'), 'utf8');
    expect(templateVariables(gateway)).toEqual(['AUTH_SERVERS', 'GATEWAY_ACCESS_LOG', 'GATEWAY_PORT', 'ROOMS_SERVERS', 'SIGNALING_SERVERS', 'SIGN_IN_RATE', 'WEB_SERVERS']);
    // envsubst would also replace "$NAME" for any variable set in the container: nginx variables
    // are lower case, deployment variables upper case, so the two never meet.
    expect(gateway.match(/\$[A-Z][A-Z0-9_]*/g) ?? []).toEqual([]);
  });
});

describe('gateway over TLS', () => {
  const root = mkdtempSync(join(tmpdir(), 'meshcall-gateway-tls-'));
  let gateway: LocalComponent | undefined;
  let rooms: StandInUpstream | undefined;
  let liveSockets: WebSocketServer | undefined;
  let tlsPort: number;
  let certificate: string;

  beforeAll(async () => {
    certificate = join(root, 'fullchain.pem');
    const key = join(root, 'privkey.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', certificate], { stdio: 'ignore' });
    rooms = standInUpstream('rooms', await findFreePort());
    liveSockets = new WebSocketServer({ server: rooms.server, path: '/live' });
    liveSockets.on('connection', (socket, req) => socket.send(JSON.stringify({ upstream: 'rooms', url: req.url })));
    await rooms.listen();
    const port = await findFreePort();
    tlsPort = await findFreePort();
    const unused = `127.0.0.1:${await findFreePort()}`;
    gateway = gatewayComponent({
      port,
      upstreams: { auth: [unused], rooms: [`127.0.0.1:${rooms.port}`], signaling: [unused], web: unused },
      runDir: join(root, 'run'),
      logDir: join(root, 'logs'),
      tls: { port: tlsPort, certificate, certificateKey: key },
    });
    await gateway.start();
  });

  afterAll(async () => {
    await gateway?.stop();
    liveSockets?.close();
    await rooms?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the same routes over HTTPS with Strict-Transport-Security', async () => {
    const ca = readFileSync(certificate);
    const { status, headers, body } = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: tlsPort, path: '/api/rooms/r1', ca, servername: 'localhost' }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ upstream: 'rooms', url: '/r1', headers: { 'x-forwarded-proto': 'https' } });
    expect(headers['strict-transport-security']).toBe('max-age=31536000');
    expect(headers['content-security-policy']).toContain(`wss://127.0.0.1:${tlsPort}`);
  });

  it('upgrades WSS on /api/rooms/live', async () => {
    const socket = new WebSocket(`wss://127.0.0.1:${tlsPort}/api/rooms/live`, { ca: readFileSync(certificate) });
    try {
      expect(JSON.parse(await webSocketMessage(socket))).toEqual({ upstream: 'rooms', url: '/live' });
    } finally {
      socket.close();
    }
  });
});
