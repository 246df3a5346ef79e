import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it, onTestFailed } from 'vitest';
// The web e2e suite's own steps (sign up, create a room, join, wait for video, chat): a call
// through a restrictive network is driven exactly like any other call through the UI.
import { newParticipant, type Participant } from '../../../web/e2e/support/browser.js';
import { createRoom, describeTile, expectAudioLive, expectVideoPlaying, inviteLink, joinFromPrejoin, openPanel, problemsOf, remoteTile, sendChat, signUp } from '../../../web/e2e/support/app.js';
import { createTestCertificates, type TestCertificates } from '@meshcall/stack';
import { launchBrowserIn } from '../src/browser-in-namespace.js';
import { acquireRunLock } from '../src/run-lock.js';
import { startPublicStack, type PublicStack } from '../src/public-stack.js';
import {
  createHome,
  createPublicNamespace,
  deleteHome,
  namespaceSupportProblem,
  PUBLIC_ADDRESS,
  removeAllNamespaces,
  type Home,
  type HomeProfile,
} from '../src/topology.js';

/** The page origin: HTTPS on 443, the one port every scenario's network lets out. */
const ORIGIN = `https://${PUBLIC_ADDRESS}`;
const BADGE_TIMEOUT_MS = 45_000;

interface Scenario {
  name: string;
  homes: [HomeProfile, HomeProfile];
  /** What each side's badge must end up saying about the link to the other. */
  expectPath: [RegExp, RegExp];
  /** The relay protocol of each side's own leg to coturn, when that side must relay. */
  expectRelayProtocol: [string | null, string | null];
}

const SCENARIOS: Scenario[] = [
  {
    // Two symmetric NATs: each maps every destination to a fresh random port, so neither side's
    // reflexive address is any use to the other and no direct pair can succeed.
    name: '1. both behind symmetric NAT: relayed by coturn over UDP',
    homes: [
      { nat: 'symmetric', egress: 'open' },
      { nat: 'symmetric', egress: 'open' },
    ],
    expectPath: [/^Relayed: no direct path$/, /^Relayed: no direct path$/],
    // Each side relays over UDP or reaches the other's relay from its reflexive address; either
    // way UDP, never TCP or TLS, since UDP is open.
    expectRelayProtocol: [null, null],
  },
  {
    name: '2. UDP blocked on one side: relayed over TURN/TCP',
    homes: [
      { nat: 'symmetric', egress: 'no-udp' },
      { nat: 'symmetric', egress: 'open' },
    ],
    expectPath: [/^Relayed: UDP blocked$/, /^Relayed/],
    expectRelayProtocol: ['tcp', null],
  },
  {
    name: '3. only TCP 443 open on both sides: relayed over TURN/TLS on 443',
    homes: [
      { nat: 'symmetric', egress: 'tcp-443-only' },
      { nat: 'symmetric', egress: 'tcp-443-only' },
    ],
    expectPath: [/^Relayed over TLS :443$/, /^Relayed over TLS :443$/],
    expectRelayProtocol: ['tls', 'tls'],
  },
  {
    // The open side has a public address and accepts incoming flows: the NATed side's checks
    // reach it, and its answers go back through the NAT's own mapping. Direct, no relay.
    name: '4. one side open, one behind symmetric NAT: direct',
    homes: [
      { nat: 'none', egress: 'open' },
      { nat: 'symmetric', egress: 'open' },
    ],
    expectPath: [/^Direct$/, /^Direct$/],
    expectRelayProtocol: [null, null],
  },
];

/** Time to first remote frame per scenario, for the bench to pick up (no assertions on it). */
const timings: Array<{ scenario: string; firstRemoteFrameMs: { alice: number; bob: number } }> = [];

describe('calls through restrictive networks (network namespaces)', () => {
  let scratch = '';
  let certificates: TestCertificates | undefined;
  let stack: PublicStack | undefined;
  let homes: Home[] = [];
  let browsers: Browser[] = [];

  /**
   * The namespaces, certificates and stack, built once by the first scenario that needs them. Not
   * in beforeAll: vitest reports the tests of a failed beforeAll as skipped, and a machine that
   * cannot build namespaces must count as failed, every scenario of it.
   */
  let environment: Promise<void> | undefined;
  let releaseLock: (() => void) | undefined;
  function ready(): Promise<void> {
    environment ??= (async () => {
      const problem = await namespaceSupportProblem();
      if (problem) {
        console.error(`NETWORK TIER FAILED: cannot create network namespaces here (needs root, iproute2 and nftables): ${problem}`);
        throw new Error(`network namespaces unavailable: ${problem}`);
      }
      releaseLock = acquireRunLock();
      const leftovers = await removeAllNamespaces();
      if (leftovers.length > 0) console.log(`[networks] removed leftovers of an earlier run: ${leftovers.join(', ')}`);
      scratch = mkdtempSync(join(tmpdir(), 'meshcall-networks-'));
      mkdirSync(join(scratch, 'certs'));
      certificates = await createTestCertificates(join(scratch, 'certs'), PUBLIC_ADDRESS);
      await createPublicNamespace();
      stack = await startPublicStack({ dataDir: join(scratch, 'data'), certDir: certificates.dir });
    })();
    return environment;
  }

  afterEach(async () => {
    for (const browser of browsers) await browser.close().catch(() => undefined);
    browsers = [];
    for (const home of homes) await deleteHome(home);
    homes = [];
  });

  afterAll(async () => {
    // Every step runs even when an earlier one failed: nothing may outlive the run. Stopping the
    // run (Ctrl-C) or a crash skips this; the next run removes the leftovers by their prefix
    // before it builds anything, and the stack stops itself when its stdin closes.
    await attempt('stopping the stack', async () => stack?.stop());
    // The stack's logs (coturn's above all) outlive the scratch folder, for whoever reads a failure.
    await attempt('keeping the logs', async () => stack && cpSync(stack.logDir, '.test-results/networks-logs', { recursive: true }));
    // Only a run that holds the lock touches the namespaces: another run's are not ours.
    if (releaseLock) await attempt('removing the namespaces', removeAllNamespaces);
    await attempt('writing the timings', async () => {
      if (timings.length === 0) return;
      // In a folder of its own: every .json directly in .test-results is a vitest report to
      // scripts/test-totals.mjs.
      mkdirSync('.test-results/bench', { recursive: true });
      writeFileSync('.test-results/bench/networks-first-remote-frame.json', `${JSON.stringify(timings, null, 2)}\n`);
    });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    releaseLock?.();
    // A teardown that left something behind fails the run, after every step had its chance.
    if (teardownFailures.length > 0) throw new Error(`teardown failed: ${teardownFailures.join('; ')}`);
  });

  for (const scenario of SCENARIOS) {
    it(scenario.name, async () => {
      await ready();
      const alice = await participantIn(1, scenario.homes[0], 'Alice');
      const bob = await participantIn(2, scenario.homes[1], 'Bob');
      onTestFailed(() => {
        console.log(problemsOf(alice, bob));
        console.log(stack?.output().split('\n').slice(-20).join('\n'));
      });

      await signUp(alice);
      await signUp(bob);
      await createRoom(alice.page, { name: `Networks ${scenario.name.slice(0, 2)}${Date.now().toString(36)}`, kind: 'business' });
      await joinFromPrejoin(alice.page);
      const link = await inviteLink(alice.page);
      await bob.page.goto(link);
      const joinedAt = Date.now();
      await joinFromPrejoin(bob.page);
      const [aliceSeesBob, bobSeesAlice] = await Promise.all([firstRemoteFrame(alice.page, bob.name), firstRemoteFrame(bob.page, alice.name)]);
      const firstRemoteFrameMs = { alice: aliceSeesBob - joinedAt, bob: bobSeesAlice - joinedAt };
      timings.push({ scenario: scenario.name, firstRemoteFrameMs });
      console.log(`[networks] ${scenario.name}: first remote frame ${firstRemoteFrameMs.alice} ms (Alice) / ${firstRemoteFrameMs.bob} ms (Bob) after Bob joined`);

      // Video both ways, really decoding, and audio live.
      await expectVideoPlaying(alice.page, bob.name);
      await expectVideoPlaying(bob.page, alice.name);
      await expectAudioLive(bob.page, alice.name);
      await expectAudioLive(alice.page, bob.name);

      // Chat both ways over the same signaling path.
      const hello = `hello from ${scenario.name.slice(0, 2)} ${Date.now().toString(36)}`;
      await sendChat(alice.page, hello);
      await openPanel(bob.page, 'chat');
      await bob.page.getByTestId('chat-message').filter({ hasText: hello }).waitFor();
      const reply = `reply ${Date.now().toString(36)}`;
      await sendChat(bob.page, reply);
      await alice.page.getByTestId('chat-message').filter({ hasText: reply }).waitFor();

      // The badge: which path, and why, as each side reads it from its own getStats.
      const seen = [await badgeOf(alice.page, bob.name, scenario.expectPath[0]), await badgeOf(bob.page, alice.name, scenario.expectPath[1])];
      console.log(`[networks] ${scenario.name}: Alice sees ${JSON.stringify(seen[0])}, Bob sees ${JSON.stringify(seen[1])}`);
      for (const [i, badge] of seen.entries()) {
        expect(badge.label, `${i === 0 ? 'Alice' : 'Bob'}'s badge`).toMatch(scenario.expectPath[i] as RegExp);
        const relayProtocol = scenario.expectRelayProtocol[i];
        if (relayProtocol) {
          expect(badge.local).toBe('relay');
          expect(badge.relayProtocol).toBe(relayProtocol);
          // The relay is the stack's coturn at its public address, and TLS arrives through 443.
          expect(badge.relayUrl).toMatch(new RegExp(`^turns?:${PUBLIC_ADDRESS.replaceAll('.', '\\.')}:${relayProtocol === 'tls' ? '443' : String(stack?.turnPort)}\\?`));
        }
        if (scenario.expectPath[i]?.source.startsWith('^Relayed: no direct path')) {
          // UDP open on both sides: whoever relays does so over UDP.
          expect(['', 'udp']).toContain(badge.relayProtocol);
        }
        if (scenario.expectPath[i]?.source === '^Direct$') expect([badge.local, badge.remote]).not.toContain('relay');
      }
      if (scenario.name.startsWith('1.')) {
        // A relayed path has a relay candidate on one end: that side's leg to coturn is UDP.
        expect(seen.map((badge) => badge.relayProtocol)).toContain('udp');
      }
    });
  }

  async function participantIn(index: 1 | 2, profile: HomeProfile, label: string): Promise<Participant> {
    const home = await createHome(index, profile);
    homes.push(home);
    if (!certificates) throw new Error('the environment is not ready');
    const browser = await launchBrowserIn(home.clientNamespace, scratch, { trustSpki: certificates.spkiHash });
    browsers.push(browser);
    return newParticipant(browser, ORIGIN, label);
  }
});

const teardownFailures: string[] = [];

/** Runs one teardown step; a failure is recorded and the next step still runs. */
async function attempt(what: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    console.error(`[networks] ${what} failed: ${String(error)}`);
    teardownFailures.push(`${what}: ${String(error)}`);
  }
}

/** When the first frame of the other side's video was decoded here (bounded). */
async function firstRemoteFrame(page: Page, peerName: string): Promise<number> {
  const video = remoteTile(page, peerName).locator('video');
  try {
    await video.waitFor({ state: 'attached', timeout: 60_000 });
    await page.waitForFunction((el) => el instanceof HTMLVideoElement && el.videoWidth > 0, await video.elementHandle(), { timeout: 60_000, polling: 50 });
  } catch (error) {
    throw new Error(`${peerName}'s video never arrived: ${await describeTile(page, peerName)}`, { cause: error });
  }
  return Date.now();
}

interface Badge {
  label: string;
  path: string;
  reason: string;
  local: string;
  remote: string;
  relayProtocol: string;
  relayUrl: string;
}

/**
 * The badge of the link to `peerName`, read once it says what the scenario expects or the bound
 * runs out (the reason can firm up after connecting, when the last direct checks fail). What it
 * says then is returned either way, and the caller asserts on it.
 */
async function badgeOf(page: Page, peerName: string, expected: RegExp): Promise<Badge> {
  const badge = remoteTile(page, peerName).getByTestId('quality-badge');
  const read = async (): Promise<Badge> => ({
    label: ((await badge.textContent()) ?? '').trim(),
    path: (await badge.getAttribute('data-path')) ?? '',
    reason: (await badge.getAttribute('data-reason')) ?? '',
    local: (await badge.getAttribute('data-local-candidate')) ?? '',
    remote: (await badge.getAttribute('data-remote-candidate')) ?? '',
    relayProtocol: (await badge.getAttribute('data-relay-protocol')) ?? '',
    relayUrl: (await badge.getAttribute('data-relay-url')) ?? '',
  });
  const deadline = Date.now() + BADGE_TIMEOUT_MS;
  let current = await read();
  while (!expected.test(current.label) && Date.now() < deadline) {
    await page.waitForTimeout(500);
    current = await read();
  }
  return current;
}
