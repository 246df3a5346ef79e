import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalComponent } from '../component.js';
import { findFreePort } from '../ports.js';
import { ManagedProcess } from '../process.js';
import { PEER_FORBIDDEN, RELAY_ALLOCATED, requestRelay } from '../turn-client.js';
import { waitUntil } from '../wait.js';
import { stunBindingOk } from '@meshcall/shared/stun-binding';
import { coturnComponent, productionCoturnConfig, renderCoturnConfig, type CoturnOptions } from './coturn.js';
import { infraDir } from './nginx.js';

const SECRET = 'test-secret-for-coturn-only';
const REALM = 'meshcall.test';

/** TURN REST API credentials, computed as the rooms service issues them. */
function restCredentials(secret: string, userId: string, expiresAtSeconds: number): { username: string; credential: string } {
  const username = `${expiresAtSeconds}:${userId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

function inTenMinutes(): number {
  return Math.floor(Date.now() / 1000) + 600;
}

/** A UDP peer on loopback that echoes what the relay sends it, like turnutils_peer. */
async function startEchoPeer(): Promise<{ port: number; socket: UdpSocket; received: () => number }> {
  const socket = createSocket('udp4');
  let received = 0;
  socket.on('message', (message, from) => {
    received += 1;
    socket.send(message, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { port: socket.address().port, socket, received: () => received };
}

async function coturnOptions(root: string, allowLoopbackPeers: boolean): Promise<CoturnOptions> {
  // Relay ports near the listener's; the range only has to be free, not random.
  const listenPort = await findFreePort();
  const relayMinPort = 40_000 + (listenPort % 20_000);
  return { listenPort, relayMinPort, relayMaxPort: relayMinPort + 19, secret: SECRET, realm: REALM, runDir: join(root, 'run'), logDir: join(root, 'logs'), allowLoopbackPeers };
}

describe('coturn with the production config', () => {
  const root = mkdtempSync(join(tmpdir(), 'meshcall-coturn-prod-'));
  let coturn: LocalComponent | undefined;
  let options: CoturnOptions;
  let peer: Awaited<ReturnType<typeof startEchoPeer>>;

  beforeAll(async () => {
    peer = await startEchoPeer();
    options = await coturnOptions(root, false);
    coturn = coturnComponent(options);
    await coturn.start();
  });

  afterAll(async () => {
    await coturn?.stop();
    peer?.socket.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps the rendered config, which holds the secret, readable by its owner only', () => {
    expect(statSync(join(options.runDir, 'turnserver.conf')).mode & 0o777).toBe(0o600);
  });

  it('allocates a relay for valid TURN REST credentials', async () => {
    const output = await requestRelay({ port: options.listenPort, credentials: restCredentials(SECRET, 'user-1', inTenMinutes()), peer: { address: '127.0.0.1', port: peer.port }, packets: 3 });
    expect(output).toMatch(RELAY_ALLOCATED);
  });

  it('refuses expired credentials', async () => {
    const expired = restCredentials(SECRET, 'user-1', Math.floor(Date.now() / 1000) - 60);
    const output = await requestRelay({ port: options.listenPort, credentials: expired, peer: { address: '127.0.0.1', port: peer.port }, packets: 3 });
    expect(output).not.toMatch(RELAY_ALLOCATED);
    expect(output).toContain('Cannot complete Allocation');
  });

  it('refuses credentials signed with another secret', async () => {
    const forged = restCredentials('not-the-secret', 'user-1', inTenMinutes());
    const output = await requestRelay({ port: options.listenPort, credentials: forged, peer: { address: '127.0.0.1', port: peer.port }, packets: 3 });
    expect(output).not.toMatch(RELAY_ALLOCATED);
    expect(output).toContain('Cannot complete Allocation');
  });

  it.each(['127.0.0.1', '0.0.0.0', '::1', '::ffff:127.0.0.1'])('refuses to relay to %s with 403 Forbidden IP', async (address) => {
    const output = await requestRelay({ port: options.listenPort, credentials: restCredentials(SECRET, 'user-1', inTenMinutes()), peer: { address, port: peer.port }, packets: 3 });
    // The allocation itself succeeds; the permission towards the internal peer does not.
    expect(output).toMatch(RELAY_ALLOCATED);
    expect(output).toMatch(PEER_FORBIDDEN);
    expect(output).not.toMatch(/tot_recv_msgs=[1-9]/);
  });

  it('never let a packet through to the loopback peer', () => {
    expect(peer.received()).toBe(0);
  });
});

describe('coturn with the local test overlay', () => {
  const root = mkdtempSync(join(tmpdir(), 'meshcall-coturn-local-'));
  let coturn: LocalComponent | undefined;
  let options: CoturnOptions;
  let peer: Awaited<ReturnType<typeof startEchoPeer>>;

  beforeAll(async () => {
    peer = await startEchoPeer();
    options = await coturnOptions(root, true);
    coturn = coturnComponent(options);
    await coturn.start();
  });

  afterAll(async () => {
    await coturn?.stop();
    peer?.socket.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('relays to a peer on 127.0.0.1 and back', async () => {
    const output = await requestRelay({ port: options.listenPort, credentials: restCredentials(SECRET, 'user-2', inTenMinutes()), peer: { address: '127.0.0.1', port: peer.port }, packets: 3 });
    expect(output).toMatch(RELAY_ALLOCATED);
    expect(output).toContain('tot_recv_msgs=3');
    expect(peer.received()).toBe(3);
  });

  it('still refuses every other loopback address', async () => {
    const output = await requestRelay({ port: options.listenPort, credentials: restCredentials(SECRET, 'user-2', inTenMinutes()), peer: { address: '127.0.0.2', port: peer.port }, packets: 3 });
    expect(output).toMatch(PEER_FORBIDDEN);
  });
});

describe('the Docker entrypoint (infra/coturn/entrypoint.sh) with the real turnserver', () => {
  const root = mkdtempSync(join(tmpdir(), 'meshcall-coturn-entrypoint-'));
  const secret = 'secret-from-the-environment';
  let coturn: ManagedProcess | undefined;
  let listenPort: number;

  beforeAll(async () => {
    listenPort = await findFreePort();
    const relayMinPort = 40_000 + (listenPort % 20_000);
    // What the container does, with loopback-only listeners added as extra arguments.
    coturn = ManagedProcess.start({
      name: 'coturn-entrypoint',
      command: 'sh',
      args: [
        join(infraDir, 'coturn', 'entrypoint.sh'),
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${listenPort}`,
        `--min-port=${relayMinPort}`,
        `--max-port=${relayMinPort + 9}`,
        '--no-tls',
        '--no-dtls',
        `--userdb=${join(root, 'turndb')}`,
      ],
      env: { PATH: process.env.PATH, TMPDIR: root, TURN_SECRET: secret, TURN_REALM: REALM, COTURN_BASE_CONFIG: productionCoturnConfig },
      logFile: join(root, 'coturn.log'),
    });
    const started = coturn;
    await waitUntil('coturn via its entrypoint', () => stunBindingOk(listenPort), { timeoutMs: 30_000, abortWhen: () => started.describeExit() });
  });

  afterAll(async () => {
    await coturn?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('takes TURN_SECRET from the environment: its credentials allocate, others do not', async () => {
    const valid = await requestRelay({ port: listenPort, credentials: restCredentials(secret, 'user-3', inTenMinutes()), peer: { address: '127.0.0.1', port: 9 }, packets: 3 });
    expect(valid).toMatch(RELAY_ALLOCATED);
    const forged = await requestRelay({ port: listenPort, credentials: restCredentials('another-secret', 'user-3', inTenMinutes()), peer: { address: '127.0.0.1', port: 9 }, packets: 3 });
    expect(forged).not.toMatch(RELAY_ALLOCATED);
  });

  it('keeps the secret off the command line and in a file only its owner can read', () => {
    const commandLine = readFileSync(`/proc/${coturn?.pid}/cmdline`, 'utf8');
    expect(commandLine).toContain('turnserver');
    expect(commandLine).not.toContain(secret);
    const [folder] = readdirSync(root).filter((name) => /^coturn\.[A-Za-z0-9]{6}$/.test(name));
    const rendered = join(root, folder ?? 'missing', 'turnserver.conf');
    expect(readFileSync(rendered, 'utf8')).toContain(`static-auth-secret=${secret}`);
    expect(statSync(rendered).mode & 0o777).toBe(0o600);
  });

  it('refuses to start without a secret', async () => {
    const failed = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile('sh', [join(infraDir, 'coturn', 'entrypoint.sh')], { env: { PATH: process.env.PATH, TMPDIR: root, COTURN_BASE_CONFIG: productionCoturnConfig }, timeout: 10_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` }),
      );
      child.stdin?.end();
    });
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain('TURN_SECRET is not set');
  });
});

// --- The deny list, checked by reading the config: tests never send to these ranges ----------

/** Every range a relay must never reach (IANA IPv4/IPv6 special-purpose registries). */
const REQUIRED_DENIED_RANGES = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // private
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation
  '192.88.99.0/24', // 6to4 relay anycast
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation
  '203.0.113.0/24', // documentation
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved
  '255.255.255.255/32', // broadcast
  // "::" (unspecified) has no line: coturn refuses it itself, and a range starting at "::" would
  // match every IPv4 peer (see below); coturn-production.test.ts checks it with a real request.
  '::1/128', // loopback
  '::1-::ffff:ffff', // IPv4-compatible: ::/96 but "::"
  '::ffff:0:0/96', // IPv4-mapped
  '::ffff:0:0:0/96', // IPv4-translated
  '64:ff9b::/96', // NAT64
  '64:ff9b:1::/48', // local-use NAT64
  '100::/64', // discard-only
  '2001::/23', // IETF protocol assignments
  '2001::/32', // Teredo
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4
  '3fff::/20', // documentation
  '5f00::/16', // SRv6 SIDs
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'fec0::/10', // site-local
  'ff00::/8', // multicast
];

type Family = 4 | 6;
interface Interval {
  family: Family;
  first: bigint;
  last: bigint;
}

function ipv4ToBigInt(address: string): bigint {
  const parts = address.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${address}`);
  return parts.reduce((value, part) => (value << 8n) + BigInt(Number.parseInt(part, 10)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  const [head = '', tail] = address.split('::');
  const groups = (text: string): string[] => {
    if (text === '') return [];
    return text.split(':').flatMap((group) => {
      if (!group.includes('.')) return [group];
      const v4 = ipv4ToBigInt(group);
      return [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    });
  };
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - front.length - back.length).fill('0');
  const all = [...front, ...zeros, ...back];
  if (all.length !== 8) throw new Error(`not an IPv6 address: ${address}`);
  return all.reduce((value, group) => (value << 16n) + BigInt(`0x${group}`), 0n);
}

function parseAddress(address: string): { family: Family; value: bigint } {
  return address.includes(':') ? { family: 6, value: ipv6ToBigInt(address) } : { family: 4, value: ipv4ToBigInt(address) };
}

/** A CIDR block, or a `first-last` range. */
function cidrToInterval(cidr: string): Interval {
  if (cidr.includes('-')) {
    const [from = '', to = ''] = cidr.split('-');
    const first = parseAddress(from);
    return { family: first.family, first: first.value, last: parseAddress(to).value };
  }
  const [address = '', prefix = ''] = cidr.split('/');
  const { family, value } = parseAddress(address);
  const hostBits = BigInt((family === 4 ? 32 : 128) - Number.parseInt(prefix, 10));
  const first = (value >> hostBits) << hostBits;
  return { family, first, last: first + (1n << hostBits) - 1n };
}

/** coturn's `denied-peer-ip=FIRST-LAST` (or a single address) as intervals. */
function deniedIntervals(config: string): Interval[] {
  return config
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('denied-peer-ip='))
    .map((line) => {
      const [from = '', to] = line.slice('denied-peer-ip='.length).split('-');
      const first = parseAddress(from);
      const last = to === undefined ? first : parseAddress(to);
      if (first.family !== last.family) throw new Error(`mixed families in ${line}`);
      return { family: first.family, first: first.value, last: last.value };
    });
}

/** True when the union of `intervals` covers all of `range`. */
function covered(range: Interval, intervals: Interval[]): boolean {
  const sameFamily = intervals.filter((interval) => interval.family === range.family).sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  let next = range.first;
  for (const interval of sameFamily) {
    if (interval.first > next) break;
    if (interval.last >= next) next = interval.last + 1n;
    if (next > range.last) return true;
  }
  return next > range.last;
}

describe('coturn config as rendered', () => {
  const options: CoturnOptions = { listenPort: 3478, relayMinPort: 49160, relayMaxPort: 49199, secret: SECRET, realm: REALM, runDir: '/run/coturn', logDir: '/var/log', allowLoopbackPeers: false };
  const production = renderCoturnConfig(options);

  it.each(REQUIRED_DENIED_RANGES)('denies relaying into %s', (cidr) => {
    expect(covered(cidrToInterval(cidr), deniedIntervals(production))).toBe(true);
  });

  it('starts no IPv6 range at "::", which coturn 4.6 would match against every IPv4 peer', () => {
    const trapped = deniedIntervals(production).filter((interval) => interval.family === 6 && interval.first === 0n);
    expect(trapped).toEqual([]);
  });

  it('a range check that would notice a missing range', () => {
    const withoutMapped = production.replace(/^denied-peer-ip=::ffff:0:0-.*$/m, '');
    expect(covered(cidrToInterval('::ffff:0:0/96'), deniedIntervals(withoutMapped))).toBe(false);
  });

  it('sets the production hardening and no loopback exception', () => {
    const lines = production.split('\n').map((line) => line.trim());
    for (const required of ['use-auth-secret', 'fingerprint', 'no-cli', 'no-multicast-peers', 'no-tcp-relay', 'no-software-attribute', 'tls-listening-port=5349', `realm=${REALM}`, `static-auth-secret=${SECRET}`]) {
      expect(lines, required).toContain(required);
    }
    expect(lines.some((line) => /^user-quota=[1-9][0-9]*$/.test(line))).toBe(true);
    expect(lines.some((line) => /^total-quota=[1-9][0-9]*$/.test(line))).toBe(true);
    expect(lines).not.toContain('allow-loopback-peers');
    expect(lines.some((line) => line.startsWith('allowed-peer-ip'))).toBe(false);
  });

  it('keeps the committed production file free of secrets and of the loopback exception', () => {
    const committed = readFileSync(productionCoturnConfig, 'utf8');
    const lines = committed.split('\n').map((line) => line.trim());
    expect(lines.some((line) => line.startsWith('static-auth-secret'))).toBe(false);
    expect(lines).not.toContain('allow-loopback-peers');
  });

  it('adds the overlay only when asked, after the production lines', () => {
    const local = renderCoturnConfig({ ...options, allowLoopbackPeers: true });
    expect(local.startsWith(production.slice(0, 200))).toBe(true);
    expect(local).toContain('allow-loopback-peers');
    expect(local.indexOf('allow-loopback-peers')).toBeGreaterThan(local.lastIndexOf('denied-peer-ip='));
  });

  it('refuses a secret or realm that could add lines to the config', () => {
    expect(() => renderCoturnConfig({ ...options, secret: 'abc\nallow-loopback-peers' })).toThrow(/one non-empty line/);
    expect(() => renderCoturnConfig({ ...options, secret: '' })).toThrow(/one non-empty line/);
    expect(() => renderCoturnConfig({ ...options, realm: 'x\nno-auth' })).toThrow(/realm/);
  });
});

describe('coturn config for another address, with TLS and a peer overlay (the network tier)', () => {
  const options: CoturnOptions = { listenPort: 3478, relayMinPort: 49160, relayMaxPort: 49199, secret: SECRET, realm: REALM, runDir: '/run/coturn', logDir: '/var/log', allowLoopbackPeers: false };
  const overlayDir = mkdtempSync(join(tmpdir(), 'meshcall-coturn-overlay-'));
  const overlay = join(overlayDir, 'peers.conf');
  writeFileSync(overlay, 'allowed-peer-ip=203.0.113.10\n');
  afterAll(() => rmSync(overlayDir, { recursive: true, force: true }));
  const rendered = renderCoturnConfig({
    ...options,
    address: '203.0.113.10',
    overlays: [overlay],
    tls: { port: 40001, certificate: '/certs/fullchain.pem', certificateKey: '/certs/privkey.pem' },
  });
  const local = rendered.slice(rendered.indexOf('# --- Local launcher'));

  it('listens and relays on that address only, never on loopback', () => {
    expect(local).toMatch(/^listening-ip=203\.0\.113\.10$/m);
    expect(local).toMatch(/^relay-ip=203\.0\.113\.10$/m);
    expect(local).not.toMatch(/^(listening|relay)-ip=(127\.0\.0\.1|::1)$/m);
  });

  it('serves TLS on the given port with the given files instead of no-tls', () => {
    expect(local).toMatch(/^tls-listening-port=40001$/m);
    expect(local).toMatch(/^cert=\/certs\/fullchain\.pem$/m);
    expect(local).toMatch(/^pkey=\/certs\/privkey\.pem$/m);
    expect(local).not.toMatch(/^no-tls$/m);
  });

  it('appends the overlay last, and not the loopback one', () => {
    expect(rendered.trimEnd().endsWith('allowed-peer-ip=203.0.113.10')).toBe(true);
    expect(rendered).not.toMatch(/^allow-loopback-peers$/m);
  });

  it('refuses an address that is not an IP and certificate paths that would add options', () => {
    expect(() => renderCoturnConfig({ ...options, address: 'turn.example' })).toThrow(/not an IP address/);
    expect(() => renderCoturnConfig({ ...options, tls: { port: 1, certificate: '/x\nallow-loopback-peers', certificateKey: '/y' } })).toThrow(/one line/);
  });
});
