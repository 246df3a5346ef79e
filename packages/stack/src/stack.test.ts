import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.js';
import { findFreePort } from './ports.js';

const dataDir = mkdtempSync(join(tmpdir(), 'meshcall-stack-'));
let stack: Stack | undefined;

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
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  await stack?.stop();
});

describe('startStack', () => {
  it('brings up every piece and answers every health endpoint through the gateway', async () => {
    stack = await startStack({ dataDir, fresh: true, gatewayPort: 0, bcryptCost: 4, env: {} });
    expect(stack.skipped).toEqual([]);
    expect(stack.components.signaling).toHaveLength(2);
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
