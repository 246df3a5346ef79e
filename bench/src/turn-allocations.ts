/**
 * `npm run bench:turn -w @meshcall/bench`: how many TURN allocations one call holds on coturn,
 * when the call connects directly and when it is relayed: the input of docs/capacity.md that
 * decides how many TURN hosts a deployment needs (each allocation holds one relay port). Two
 * headless Chromiums with fake devices make 2-person calls through the launcher's stack (the
 * bench's call page, the ICE servers rooms hands out); while a call is up, the coturn process's
 * UDP sockets are counted (one relay socket per allocation) against the count before it, then
 * again after both hang up. Writes bench/results/turn-allocations.json and .md.
 *
 *   TURN_CALLS=3   calls per mode
 *
 * Not a phase of `npm run bench`: a minute of its own, and its figure changes only with the ICE
 * configuration rooms hands out.
 */
import { readFileSync, readdirSync, readlinkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { chromiumLaunchOptions, type Stack } from '@meshcall/stack';
import { startBenchStack } from './bench-stack.js';
import { MeshcallApi, type BenchUser } from './clients/meshcall-api.js';
import { machineInfo } from './machine.js';
import { openPage, type BenchWindow } from './scenarios/first-frame.js';

const resultsDir = fileURLToPath(new URL('../results', import.meta.url));
/**
 * After the call connected, the count is read until it has not changed for STABLE_MS (ICE
 * gathering done on every network and URL), at most SETTLE_MAX_MS; the peak is kept.
 */
const STABLE_MS = 2_000;
const SETTLE_MAX_MS = 10_000;
/** How long hanging up may take to release the allocations (Chromium deallocates on close). */
const RELEASE_WAIT_MS = 15_000;

/** The UDP sockets a process holds, by reading its descriptors and the kernel's UDP tables. */
function udpSocketCount(pid: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed while we looked
    }
  }
  let count = 0;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const inode = line.trim().split(/\s+/)[9];
      if (inode && inodes.has(inode)) count += 1;
    }
  }
  return count;
}

/** The process's UDP socket count once it has stopped changing: the peak seen on the way. */
async function settledCount(pid: number): Promise<number> {
  const deadline = Date.now() + SETTLE_MAX_MS;
  let last = udpSocketCount(pid);
  let peak = last;
  let stableSince = Date.now();
  while (Date.now() < deadline && Date.now() - stableSince < STABLE_MS) {
    await sleep(200);
    const now = udpSocketCount(pid);
    peak = Math.max(peak, now);
    if (now !== last) stableSince = Date.now();
    last = now;
  }
  return peak;
}

interface CallSample {
  path: string;
  heldDuringCall: number;
  heldAfterHangUp: number;
}

interface ModeResult {
  mode: 'direct' | 'relay-only';
  iceServerUrls: string[];
  calls: CallSample[];
  failures: string[];
}

async function oneCall(api: MeshcallApi, coturnPid: number, people: Array<{ user: BenchUser; page: Page }>, relayOnly: boolean): Promise<CallSample & { urls: string[] }> {
  const [member, joiner] = people as [{ user: BenchUser; page: Page }, { user: BenchUser; page: Page }];
  const before = udpSocketCount(coturnPid);
  const roomId = await api.createRoom(member.user, { capacity: 2, name: 'turn allocations' });
  const grants = await Promise.all([api.joinGrant(member.user, roomId), api.joinGrant(joiner.user, roomId)]);
  const start = (page: Page, user: BenchUser, grant: { ticket: string; iceServers: unknown }, role: string) =>
    page.evaluate((options) => (window as unknown as BenchWindow).benchStart(options), {
      token: user.accessToken, ticket: grant.ticket, iceServers: grant.iceServers, relayOnly, prewarmMs: 0, role, timeoutMs: 20_000,
    });
  const hangUp = () => Promise.all(people.map(({ page }) => page.evaluate(() => (window as unknown as BenchWindow).benchHangUp()).catch(() => undefined)));
  try {
    await start(member.page, member.user, grants[0], 'member');
    await start(joiner.page, joiner.user, grants[1], 'caller');
    await Promise.all(people.map(({ page }) => page.evaluate(() => (window as unknown as BenchWindow).benchDone)));
    const held = (await settledCount(coturnPid)) - before;
    const path = await joiner.page.evaluate(() => (window as unknown as BenchWindow).benchPath());
    await hangUp();
    const releaseDeadline = Date.now() + RELEASE_WAIT_MS;
    while (udpSocketCount(coturnPid) > before && Date.now() < releaseDeadline) await sleep(200);
    const urls = (grants[0].iceServers as Array<{ urls: string | string[] }>).flatMap((server) => server.urls);
    return { path: `${path.local}/${path.remote}`, heldDuringCall: held, heldAfterHangUp: udpSocketCount(coturnPid) - before, urls };
  } catch (error) {
    await hangUp();
    throw error;
  }
}

/**
 * The networks Chromium gathers candidates on: every interface with a non-internal IPv4 address.
 * A browser allocates on each of them, once per TURN URL that answers.
 */
function gatheringNetworks(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([, addresses]) => addresses?.some((address) => address.family === 'IPv4' && !address.internal))
    .map(([name]) => name)
    .sort();
}

function markdown(result: { date: string; machine: unknown; networks: string[]; modes: ModeResult[] }): string {
  const rows = result.modes.flatMap((mode) =>
    mode.calls.map((call, i) => `| ${mode.mode} | ${i + 1} | ${call.path} | ${call.heldDuringCall} | ${call.heldAfterHangUp} |`),
  );
  const failures = result.modes.flatMap((mode) => mode.failures.map((f) => `- ${mode.mode}: ${f}`));
  return [
    '# TURN allocations per call',
    '',
    `Run ${result.date} with \`npm run bench:turn -w @meshcall/bench\`: 2-person calls between two headless Chromiums (fake devices, the bench's call page) through the launcher's stack; coturn's UDP sockets counted while the call is up (the peak until the count is steady for ${STABLE_MS / 1000} s) and after both hung up, against the count before the call. One relay socket per allocation.`,
    '',
    `Networks Chromium gathers on here (interfaces with a non-loopback IPv4 address): ${result.networks.length} (${result.networks.join(', ')}). A browser allocates once per network and per TURN URL that answers, on each side of each peer connection.`,
    '',
    `ICE servers rooms handed out: ${result.modes[0]?.iceServerUrls.map((u) => `\`${u}\``).join(', ') ?? 'none'}. The launcher's coturn has no TLS listener unless started with \`--tls\`, so the \`turns:\` URL allocates nothing here; in production it allocates like the others.`,
    '',
    '| mode | call | selected path (local/remote) | allocations held during the call | still held after hanging up |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    ...(failures.length ? ['Failures:', '', ...failures, ''] : []),
    'Used by docs/capacity.md ("TURN hosts").',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const callsPerMode = Number(process.env.TURN_CALLS ?? 3);
  if (!Number.isInteger(callsPerMode) || callsPerMode < 1 || callsPerMode > 20) throw new Error(`TURN_CALLS must be 1..20, got ${process.env.TURN_CALLS}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'meshcall-bench-turn-'));
  let stack: Stack | undefined;
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    stack = await startBenchStack(dataDir, { onProgress: (line) => console.log(line) });
    const coturnPid = stack.components.coturn.process?.pid;
    if (!coturnPid) throw new Error('the stack has no coturn process');
    const api = new MeshcallApi(stack.urls.auth[0] as string, stack.urls.rooms[0] as string);
    const users = await Promise.all([api.register('turn-member'), api.register('turn-joiner')]);
    const people = await Promise.all(users.map(async (user) => ({ user, page: await openPage(browser, stack?.gatewayUrl as string) })));
    const modes: ModeResult[] = [];
    for (const relayOnly of [false, true]) {
      const mode: ModeResult = { mode: relayOnly ? 'relay-only' : 'direct', iceServerUrls: [], calls: [], failures: [] };
      for (let i = 0; i < callsPerMode; i++) {
        try {
          const { urls, ...sample } = await oneCall(api, coturnPid, people, relayOnly);
          mode.iceServerUrls = urls;
          mode.calls.push(sample);
          console.log(`${mode.mode} call ${i + 1}: ${sample.path}, ${sample.heldDuringCall} allocations held, ${sample.heldAfterHangUp} after hanging up`);
        } catch (error) {
          mode.failures.push((error as Error).message.slice(0, 300));
        }
      }
      modes.push(mode);
    }
    const result = { date: new Date().toISOString(), machine: machineInfo(), networks: gatheringNetworks(), modes };
    writeFileSync(join(resultsDir, 'turn-allocations.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(resultsDir, 'turn-allocations.md'), markdown(result));
    console.log(markdown(result));
  } finally {
    await browser.close();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
