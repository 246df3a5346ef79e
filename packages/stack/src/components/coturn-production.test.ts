import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalComponent } from '../component.js';
import { findFreePort } from '../ports.js';
import { ManagedProcess } from '../process.js';
import { TurnAllocationClient, type PermissionResult, type TurnRestCredentials } from '../turn-allocation-client.js';
import { waitUntil } from '../wait.js';
import { stunBindingOk } from '@meshcall/shared/stun-binding';
import { coturnComponent, productionCoturnConfig } from './coturn.js';
import { infraDir } from './nginx.js';

/*
 * The production coturn config, asked of a real turnserver with Allocate, CreatePermission and
 * Refresh only: which peers a relay may reach, how long an allocation is granted, how many one
 * user may hold. No data is ever sent through a relay: a permission makes coturn send nothing to
 * the peer, so public addresses are safe to ask about.
 */

const SECRET = 'secret-for-the-peer-policy-test';
const REALM = 'meshcall.test';

/** Public peers a call must be able to reach through the relay. */
const PUBLIC_PEERS = ['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '2001:4860:4860::8888'];

/** Internal peers no relay may ever reach, with why each is internal. */
const INTERNAL_PEERS: Array<[string, string]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback /8'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', '"this network" 0/8'],
  ['10.0.0.1', 'RFC 1918 10/8'],
  ['172.16.0.1', 'RFC 1918 172.16/12'],
  ['172.31.255.254', 'RFC 1918 172.16/12, top'],
  ['192.168.1.1', 'RFC 1918 192.168/16'],
  ['100.64.0.1', 'CGNAT 100.64/10'],
  ['100.127.255.254', 'CGNAT 100.64/10, top'],
  ['169.254.0.1', 'link-local 169.254/16'],
  ['169.254.169.254', 'cloud metadata'],
  ['::1', 'IPv6 loopback'],
  ['::', 'IPv6 unspecified'],
  ['::10.0.0.1', 'IPv4-compatible (deprecated) ::/96'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:10.0.0.1', 'IPv4-mapped RFC 1918'],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
  ['64:ff9b::a00:1', 'NAT64 of 10.0.0.1'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 of 169.254.169.254'],
  ['64:ff9b:1::a00:1', 'local-use NAT64'],
  ['fc00::1', 'unique local fc00::/7'],
  ['fd12:3456:789a::1', 'unique local fd00::/8'],
  ['fe80::1', 'link-local fe80::/10'],
  ['febf::1', 'link-local fe80::/10, top'],
];

/** rooms' TURN_CREDENTIAL_TTL default (and the least it accepts). */
const CREDENTIAL_TTL_SECONDS = 600;

function restCredentials(secret: string, userId: string, ttlSeconds = CREDENTIAL_TTL_SECONDS): TurnRestCredentials {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${userId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

let checks = 0;

/**
 * Allocates a relay of the peer's family, asks for a permission towards it, then frees the relay.
 * Each check is another user: coturn frees a released allocation's quota only about a second
 * later, and user-quota would otherwise refuse the allocation before the peer is even asked about.
 */
async function permissionFor(port: number, secret: string, peer: string): Promise<PermissionResult> {
  checks += 1;
  const client = await TurnAllocationClient.open({ host: '127.0.0.1', port }, restCredentials(secret, `peer-policy-${checks}`));
  try {
    const allocation = await client.allocate({ family: peer.includes(':') ? 6 : 4 });
    if (!allocation.ok) throw new Error(`allocation refused: ${allocation.code} ${allocation.reason}`);
    return await client.createPermission(peer);
  } finally {
    await client.release();
    client.close();
  }
}

function describeProductionCoturn(start: () => Promise<{ port: number; stop: () => Promise<void> }>): void {
  let port = 0;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ port, stop } = await start());
  });
  afterAll(async () => {
    await stop?.();
  });

  it.each(PUBLIC_PEERS)('permits a relay to the public peer %s', async (peer) => {
    expect(await permissionFor(port, SECRET, peer)).toEqual({ ok: true });
  });

  it.each(INTERNAL_PEERS)('refuses %s (%s) with 403', async (peer) => {
    const result = await permissionFor(port, SECRET, peer);
    expect(result).toMatchObject({ ok: false, code: 403 });
  });

  it('grants an allocation no longer than its credentials live, however long is asked for', async () => {
    const client = await TurnAllocationClient.open({ host: '127.0.0.1', port }, restCredentials(SECRET, 'long-lived'));
    try {
      const allocation = await client.allocate({ family: 4, lifetimeSeconds: 86_400 });
      expect(allocation.ok).toBe(true);
      if (allocation.ok) expect(allocation.lifetimeSeconds).toBeLessThanOrEqual(CREDENTIAL_TTL_SECONDS);
      const refreshed = await client.refresh(86_400);
      expect(refreshed.ok).toBe(true);
      if (refreshed.ok) expect(refreshed.lifetimeSeconds).toBeLessThanOrEqual(CREDENTIAL_TTL_SECONDS);
    } finally {
      await client.release();
      client.close();
    }
  });

  it('asks with the real credentials: a forged one gets no allocation at all', async () => {
    const client = await TurnAllocationClient.open({ host: '127.0.0.1', port }, restCredentials('not-the-secret', 'peer-policy'));
    try {
      expect(await client.allocate({ family: 4 })).toMatchObject({ ok: false, code: 401 });
    } finally {
      client.close();
    }
  });
}

/** The allocations one user may hold at once (turnserver.conf user-quota): one full 8-seat call. */
const USER_QUOTA = 24;

describe('the production coturn config, as the launcher renders it', () => {
  let port = 0;
  let logFile = '';
  describeProductionCoturn(async () => {
    const root = mkdtempSync(join(tmpdir(), 'meshcall-coturn-peers-'));
    logFile = join(root, 'logs', 'coturn.log');
    const listenPort = await findFreePort();
    const relayMinPort = 40_000 + (listenPort % 20_000);
    // allowLoopbackPeers false: the production file with only the local listener, ports and secret.
    const coturn: LocalComponent = coturnComponent({ listenPort, relayMinPort, relayMaxPort: relayMinPort + 59, secret: SECRET, realm: REALM, runDir: join(root, 'run'), logDir: join(root, 'logs'), allowLoopbackPeers: false });
    await coturn.start();
    port = listenPort;
    return {
      port: listenPort,
      stop: async () => {
        await coturn.stop();
        rmSync(root, { recursive: true, force: true });
      },
    };
  });

  it('was asked about exactly the addresses meant: coturn logs each peer it denied with the range', () => {
    // Proves the XOR-PEER-ADDRESS encoding for both families (a wrong one would name other peers).
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('A peer IP 10.0.0.1 denied in the range: 10.0.0.0-10.255.255.255');
    expect(log).toContain('A peer IP 169.254.169.254 denied in the range: 169.254.0.0-169.254.255.255');
    expect(log).toContain('A peer IP ::ffff:10.0.0.1 denied in the range: ::ffff:0:0-::ffff:ffff:ffff');
    expect(log).toContain('A peer IP 64:ff9b::a00:1 denied in the range: 64:ff9b::-64:ff9b::ffff:ffff');
    expect(log).toContain('A peer IP fe80::1 denied in the range: fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(log).not.toMatch(/A peer IP (8\.8\.8\.8|1\.1\.1\.1|93\.184\.216\.34|2606:4700:4700::1111) denied/);
  });

  it('gives a client whose address still holds an allocation a relay from another local port (437 retried)', async () => {
    // A client that went away without releasing keeps its allocation on the server; a NAT in
    // between (Docker's userland proxy) may hand its address to the next client, as reusing the
    // port does here.
    const gone = await TurnAllocationClient.open({ host: '127.0.0.1', port }, restCredentials(SECRET, 'reused-address-1'));
    const first = await gone.allocate({ family: 4 });
    const reusedPort = gone.localPort;
    gone.close();
    const next = await TurnAllocationClient.open({ host: '127.0.0.1', port }, restCredentials(SECRET, 'reused-address-2'), { udpLocalPort: reusedPort });
    try {
      expect(first).toMatchObject({ ok: true });
      expect(reusedPort).toBeGreaterThan(0);
      const allocation = await next.allocate({ family: 4 });
      expect(allocation).toMatchObject({ ok: true });
      expect(next.localPort).not.toBe(reusedPort);
      expect(await next.createPermission('8.8.8.8')).toEqual({ ok: true });
    } finally {
      await next.release();
      next.close();
    }
  });

  it(`lets one user hold ${USER_QUOTA} allocations at once over all their credentials, and no more`, async () => {
    const clients: TurnAllocationClient[] = [];
    try {
      const outcomes: Array<number | 'ok'> = [];
      for (let index = 0; index <= USER_QUOTA; index += 1) {
        // A new credential each time (another expiry), as rooms issues on every join and refresh:
        // coturn counts by the user id after the expiry, so new credentials do not reset the count.
        const client = await TurnAllocationClient.open({ host: '127.0.0.1', port }, restCredentials(SECRET, 'quota-user', CREDENTIAL_TTL_SECONDS + index));
        clients.push(client);
        const allocation = await client.allocate({ family: 4 });
        outcomes.push(allocation.ok ? 'ok' : allocation.code);
      }
      expect(outcomes).toEqual([...Array<'ok'>(USER_QUOTA).fill('ok'), 486]);
    } finally {
      for (const client of clients) {
        await client.release();
        client.close();
      }
    }
  });
});

describe('the production coturn config, as the Docker entrypoint renders it', () => {
  let root = '';
  // Not the 40 the config once had, so the test tells the two apart.
  const relayPorts = 50;
  describeProductionCoturn(async () => {
    root = mkdtempSync(join(tmpdir(), 'meshcall-coturn-peers-entrypoint-'));
    const listenPort = await findFreePort();
    const relayMinPort = 40_000 + ((listenPort + 60) % 20_000);
    // What the container runs (the relay range from the environment, as docker-compose.yml gives
    // it), plus only what a loopback-only run on this machine needs.
    const coturn = ManagedProcess.start({
      name: 'coturn-entrypoint',
      command: 'sh',
      args: [
        join(infraDir, 'coturn', 'entrypoint.sh'),
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        '--relay-ip=::1',
        `--listening-port=${listenPort}`,
        '--no-tls',
        '--no-dtls',
        `--userdb=${join(root, 'turndb')}`,
      ],
      env: {
        PATH: process.env.PATH,
        TMPDIR: root,
        TURN_SECRET: SECRET,
        TURN_REALM: REALM,
        TURN_MIN_PORT: String(relayMinPort),
        TURN_MAX_PORT: String(relayMinPort + relayPorts - 1),
        COTURN_BASE_CONFIG: productionCoturnConfig,
      },
      logFile: join(root, 'coturn.log'),
    });
    await waitUntil('coturn via its entrypoint', () => stunBindingOk(listenPort), { timeoutMs: 30_000, abortWhen: () => coturn.describeExit() });
    return {
      port: listenPort,
      stop: async () => {
        await coturn.stop();
        rmSync(root, { recursive: true, force: true });
      },
    };
  });

  it('takes the relay range from TURN_MIN_PORT/TURN_MAX_PORT and caps allocations at its size', () => {
    const [folder] = readdirSync(root).filter((name) => /^coturn\.[A-Za-z0-9]{6}$/.test(name));
    const lines = readFileSync(join(root, folder ?? 'missing', 'turnserver.conf'), 'utf8').split('\n');
    // coturn applies the last value of a single-valued option.
    const last = (option: string) => lines.filter((line) => line.startsWith(`${option}=`)).at(-1);
    expect(last('total-quota')).toBe(`total-quota=${relayPorts}`);
    expect(Number(last('max-port')?.split('=')[1]) - Number(last('min-port')?.split('=')[1]) + 1).toBe(relayPorts);
  });
});
