import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it, onTestFailed } from 'vitest';
// The web e2e suite's own steps (wait for video, chat, the badge): a call through a restrictive
// network is driven exactly like any other call through the UI.
import { newParticipant, type Participant } from '../../../web/e2e/support/browser.js';
import { expectAudioLive, expectVideoPlaying, openPanel, problemsOf, sendChat } from '../../../web/e2e/support/app.js';
import { callUntilFirstFrames, type FirstRemoteFrameMs } from '../src/first-remote-frame.js';
import { badgeOf } from '../src/quality-badge.js';
import { NetworkEnvironment, ORIGIN } from '../src/network-environment.js';
import { NETWORK_SCENARIOS } from '../src/scenarios.js';
import { PUBLIC_ADDRESS, type HomeProfile } from '../src/topology.js';

/** Time to first remote frame per scenario, printed and kept (no assertions on it; `npm run bench` times it properly). */
const timings: Array<{ scenario: string; firstRemoteFrameMs: FirstRemoteFrameMs }> = [];

describe('calls through restrictive networks (network namespaces)', () => {
  /**
   * Built once by the first scenario that needs it. Not in beforeAll: vitest reports the tests
   * of a failed beforeAll as skipped, and a machine that cannot build namespaces must count as
   * failed, every scenario of it.
   */
  const environment = new NetworkEnvironment('NETWORK TIER');

  afterEach(async () => {
    await environment.closeHomes();
  });

  afterAll(async () => {
    const failures = await environment.teardown('.test-results/networks-logs');
    if (timings.length > 0) {
      // In a folder of its own: every .json directly in .test-results is a vitest report to
      // scripts/test-totals.mjs.
      mkdirSync('.test-results/bench', { recursive: true });
      writeFileSync('.test-results/bench/networks-first-remote-frame.json', `${JSON.stringify(timings, null, 2)}\n`);
    }
    // A teardown that left something behind fails the run, after every step had its chance.
    if (failures.length > 0) throw new Error(`teardown failed: ${failures.join('; ')}`);
  });

  for (const scenario of NETWORK_SCENARIOS) {
    it(scenario.name, async () => {
      const alice = await participantIn(1, scenario.homes[0], 'Alice');
      const bob = await participantIn(2, scenario.homes[1], 'Bob');
      onTestFailed(() => {
        console.log(problemsOf(alice, bob));
        console.log(environment.stackOutput());
      });

      const firstRemoteFrameMs = await callUntilFirstFrames(alice, bob, `Networks ${scenario.name.slice(0, 2)}${Date.now().toString(36)}`);
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
          expect(badge.relayUrl).toMatch(new RegExp(`^turns?:${PUBLIC_ADDRESS.replaceAll('.', '\\.')}:${relayProtocol === 'tls' ? '443' : String(environment.turnPort)}\\?`));
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
    return newParticipant(await environment.browserIn(index, profile), ORIGIN, label);
  }
});
