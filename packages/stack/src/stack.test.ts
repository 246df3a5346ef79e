import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICE_NODE_FLAGS } from './components/service.js';
import { startStack, type Stack } from './stack.js';
import { findFreePort } from './ports.js';
import type { SupervisionEvent } from './supervision.js';
import { httpOk } from './wait.js';

const dataDir = mkdtempSync(join(tmpdir(), 'meshcall-stack-'));
let stack: Stack | undefined;
const supervisionEvents: SupervisionEvent[] = [];

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of every process the stack started, to prove none survives stop(). */
function pidsOf(running: Stack): number[] {
  const { mongo, redis, coturn, auth, rooms, signaling, web, gateway } = running.components;
  return [mongo, redis, coturn, ...auth, ...rooms, ...signaling, web, gateway]
    .map((component) => component?.process?.pid)
    .filter((pid): pid is number => pid !== undefined);
}

/** True when some process of the group led by pid is still alive (nginx workers, for one). */
/**
 * Whether any process of the group still runs. Read from /proc rather than asked with
 * `kill(-pid, 0)`, which also counts zombies: a killed worker whose master is gone is reparented
 * to PID 1, and not every PID 1 (a container's, CI's) reaps promptly, or at all.
 */
function groupAlive(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(group) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

const certificateDirs: string[] = [];
afterAll(async () => {
  await stack?.stop();
  for (const dir of certificateDirs) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway self-signed certificate in TLS_CERT_DIR's layout (fullchain.pem, privkey.pem). */
function selfSignedCertificateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshcall-certs-'));
  certificateDirs.push(dir);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'privkey.pem'), '-out', join(dir, 'fullchain.pem')],
    { stdio: 'ignore' },
  );
  return dir;
}

function httpsStatus(url: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    // ALPN as browsers send it: the gateway's TLS port routes TLS without http/1.1 or h2 to TURN
    // (infra/README.md, "TURN over TLS on 443"), and Node's https offers no ALPN unless told.
    const options: RequestOptions & Pick<ConnectionOptions, 'ALPNProtocols'> = { ca, servername: 'localhost', ALPNProtocols: ['http/1.1'] };
    const req = httpsRequest(url, options, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A STUN Binding request over TLS without ALPN, as a browser's TURN client connects to a turns:
 * URL: resolves with the response's message type (0x0101 from coturn), or rejects.
 */
function stunOverTls(port: number, ca: Buffer): Promise<number> {
  const transactionId = randomBytes(12);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      socket.write(Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), transactionId]));
    });
    const timer = setTimeout(() => socket.destroy(new Error('no STUN answer over TLS within 5 s')), 5000);
    socket.once('data', (data: Buffer) => {
      clearTimeout(timer);
      socket.end();
      if (!data.subarray(8, 20).equals(transactionId)) reject(new Error('not an answer to our request'));
      else resolve(data.readUInt16BE(0));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

describe('startStack', () => {
  it('brings up every piece and answers every health endpoint through the gateway', async () => {
    const certificates = selfSignedCertificateDir();
    const tlsPort = await findFreePort();
    stack = await startStack({
      dataDir,
      fresh: true,
      gatewayPort: 0,
      bcryptCost: 4,
      // Gateway settings from the environment, as compose takes them (TLS as its overlay does).
      env: { SIGN_IN_RATE: '600r/m', GATEWAY_TLS_PORT: String(tlsPort), TLS_CERT_DIR: certificates },
      tls: true,
      onSupervision: (event) => supervisionEvents.push(event),
    });
    expect(stack.skipped).toEqual([]);
    expect(readFileSync(join(dataDir, 'run', 'gateway', 'gateway.conf'), 'utf8')).toContain('zone=credentials:10m rate=600r/m;');
    expect(stack.tlsUrl).toBe(`https://127.0.0.1:${tlsPort}`);
    expect(await httpsStatus(`${stack.tlsUrl}/api/auth/readyz`, readFileSync(join(certificates, 'fullchain.pem')))).toBe(200);
    // TURN over TLS shares the TLS port: without http ALPN the gateway hands the connection to coturn.
    expect(await stunOverTls(tlsPort, readFileSync(join(certificates, 'fullchain.pem')))).toBe(0x0101);
    expect(stack.components.signaling).toHaveLength(2);
    // Each replica runs with its service's Node flags (signaling: V8's young generation capped).
    for (const replica of stack.components.signaling) {
      const commandLine = readFileSync(`/proc/${replica.process!.pid}/cmdline`, 'utf8').split('\0');
      expect(commandLine).toEqual(expect.arrayContaining([...SERVICE_NODE_FLAGS.signaling]));
    }
    for (const service of ['auth', 'rooms', 'signaling']) {
      for (const probe of ['healthz', 'readyz']) {
        const response = await fetch(`${stack.gatewayUrl}/api/${service}/${probe}`);
        expect(response.status, `${service} ${probe}`).toBe(200);
        expect(await response.json()).toMatchObject({ status: 'ok', service });
      }
    }
    const page = await fetch(`${stack.gatewayUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('restarts a signaling replica and the gateway killed from outside, on their own ports, and the rest stays up', async () => {
    const running = stack as Stack;
    const replica = running.components.signaling[1]!;
    const gateway = running.components.gateway;
    const untouched = [running.components.signaling[0]!, ...running.components.auth, ...running.components.rooms].map((c) => c.process?.pid);
    const replicaPid = replica.process!.pid;
    const gatewayPid = gateway.process!.pid;

    // As `kill -9 PID` from a shell would: not through the library, so the supervisor must act.
    // For nginx that is the master alone: its worker keeps the port until the supervisor reaps it.
    process.kill(replicaPid, 'SIGKILL');
    process.kill(gatewayPid, 'SIGKILL');
    await Promise.all([replica.whenBack(30_000), gateway.whenBack(30_000)]);

    expect(replica.process!.pid).not.toBe(replicaPid);
    expect(gateway.process!.pid).not.toBe(gatewayPid);
    // The old master's worker, which kept answering on the port, is gone: the new nginx serves.
    await expect.poll(() => groupAlive(gatewayPid), { timeout: 5_000 }).toBe(false);
    // Same ports: the replica's own address, and the gateway's upstream for it, answer again.
    expect(await httpOk(`${running.urls.signaling[1]}/readyz`)).toBe(true);
    const viaGateway = await fetch(`${running.gatewayUrl}/api/signaling/readyz`);
    expect(viaGateway.status).toBe(200);
    expect([running.components.signaling[0]!, ...running.components.auth, ...running.components.rooms].map((c) => c.process?.pid)).toEqual(untouched);

    const summary = supervisionEvents.map((event) => `${event.component} ${event.kind}${event.kind === 'died' ? ` ${event.reason}` : ''}`).sort();
    expect(summary).toEqual(['gateway back', 'gateway died killed by SIGKILL', 'signaling-2 back', 'signaling-2 died killed by SIGKILL']);
  });

  it('keeps users after a full stop and start, and leaves no process behind', async () => {
    const running = stack as Stack;
    const origin = running.gatewayUrl;
    const register = await fetch(`${origin}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ name: 'Ada', email: 'ada@example.com', password: 'correct horse battery' }),
    });
    expect(register.status).toBe(201);

    const pids = pidsOf(running);
    expect(pids.length).toBeGreaterThanOrEqual(8);
    await running.stop();
    stack = undefined;
    expect(pids.filter((pid) => isAlive(pid) || groupAlive(pid))).toEqual([]);

    stack = await startStack({ dataDir, gatewayPort: 0, bcryptCost: 4, env: {} });
    const login = await fetch(`${stack.gatewayUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: stack.gatewayUrl },
      body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse battery' }),
    });
    expect(login.status).toBe(200);
    const session = (await login.json()) as { user: { name: string } };
    expect(session.user.name).toBe('Ada');
  });

  it('refuses to start on a data folder another launcher holds', async () => {
    await expect(startStack({ dataDir, gatewayPort: 0, env: {} })).rejects.toThrow(/another launcher .* is using/);
  });
});

describe('startStack failures', () => {
  it('names every bad launcher variable at once before starting anything', async () => {
    const attempt = startStack({ dataDir: mkdtempSync(join(tmpdir(), 'meshcall-')), env: { SIGN_IN_RATE: '30 per minute', GATEWAY_BIND: 'localhost', GATEWAY_PORT: '80000' } });
    await expect(attempt).rejects.toThrow(/^launcher: invalid configuration \(3 problems\)/);
    for (const variable of ['SIGN_IN_RATE', 'GATEWAY_BIND', 'GATEWAY_PORT']) await expect(attempt).rejects.toThrow(`- ${variable}: `);
  });

  it('says which port is taken', async () => {
    const blocker = createServer();
    const port = await findFreePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      await expect(startStack({ dataDir: mkdtempSync(join(tmpdir(), 'meshcall-')), gatewayPort: port, env: {} })).rejects.toThrow(
        `gateway: port 127.0.0.1:${port} is already in use`,
      );
    } finally {
      blocker.close();
    }
  });

  it('stops everything it started when a service never becomes ready, naming the piece and its log', async () => {
    const failing = mkdtempSync(join(tmpdir(), 'meshcall-'));
    const unusedPort = await findFreePort();
    let error: Error | undefined;
    const before = new Set(runningChildren());
    try {
      await startStack({
        dataDir: failing,
        gatewayPort: 0,
        // A database that never answers: auth stays unready.
        env: { MONGO_URL: `mongodb://127.0.0.1:${unusedPort}/meshcall` },
        serviceReadyTimeoutMs: 5_000,
      });
    } catch (caught) {
      error = caught as Error;
    }
    expect(error?.message).toMatch(/^auth: not ready after 5000 ms/);
    expect(error?.message).toContain(join(failing, 'logs', 'auth.log'));
    const leftovers = runningChildren().filter((pid) => !before.has(pid));
    expect(leftovers).toEqual([]);
  });
});

/** Child processes of this test process (the launcher's children), read from /proc. */
function runningChildren(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === process.pid && state !== 'Z') children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}
