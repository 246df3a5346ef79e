import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newParticipant, type Participant } from './support/browser.js';
import { connectionPath, createRoom, expectAudioLive, expectVideoPlaying, inviteLink, joinFromPrejoin, signUp, problemsOf } from './support/app.js';

describe('relay only', () => {
  const gatewayUrl = inject('gatewayUrl');
  const turnPorts = inject('turnPorts');
  let browser: Browser;
  let alice: Participant;
  let bob: Participant;
  let carol: Participant;
  let dave: Participant;

  beforeAll(async () => {
    browser = await launchBrowser();
    alice = await newParticipant(browser, gatewayUrl, 'Alice');
    bob = await newParticipant(browser, gatewayUrl, 'Bob');
    carol = await newParticipant(browser, gatewayUrl, 'Carol');
    dave = await newParticipant(browser, gatewayUrl, 'Dave');
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('connects through one of our coturns, the same for both sides, when both hide their IP', async () => {
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    await signUp(alice);
    await signUp(bob);
    await createRoom(alice.page, { name: `Private talk ${Date.now().toString(36)}`, kind: 'language' });
    await joinFromPrejoin(alice.page, { relayOnly: true });
    const link = await inviteLink(alice.page);
    await bob.page.goto(link);
    await joinFromPrejoin(bob.page, { relayOnly: true });

    await expectVideoPlaying(alice.page, bob.name);
    await expectVideoPlaying(bob.page, alice.name);
    await expectAudioLive(bob.page, alice.name);

    const relayPorts: number[] = [];
    for (const [viewer, other] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const path = await connectionPath(viewer.page, other.name);
      expect(path.path).toBe('relay');
      expect(path.local).toBe('relay');
      expect(path.remote).toBe('relay');
      // The relay candidate came from a TURN server the stack started, not from anywhere else.
      const relay = /^turns?:127\.0\.0\.1:(\d+)(\?|$)/.exec(path.relayUrl);
      expect(relay, path.relayUrl).not.toBeNull();
      relayPorts.push(Number(relay?.[1]));
    }
    // rooms gave both the room's one server: the media crosses one relay, not two.
    expect(turnPorts).toHaveLength(2);
    expect(turnPorts).toContain(relayPorts[0]);
    expect(relayPorts[1]).toBe(relayPorts[0]);

    // The explanation a user reads says the same.
    const badge = bob.page.locator(`[data-testid="video-tile"][data-peer-name="${alice.name}"]`).getByTestId('quality-badge');
    await badge.click();
    expect(await bob.page.getByTestId('quality-details').textContent()).toMatch(/Relayed through our TURN server/);
  });

  it('tells each side the truth about its own address when only one side chose relay only', async () => {
    onTestFailed(() => console.log(problemsOf(carol, dave)));
    await signUp(carol);
    await signUp(dave);
    await createRoom(carol.page, { name: `Half private ${Date.now().toString(36)}`, kind: 'language' });
    await joinFromPrejoin(carol.page, { relayOnly: true });
    const link = await inviteLink(carol.page);
    await dave.page.goto(link);
    await joinFromPrejoin(dave.page, { relayOnly: false });
    await expectVideoPlaying(carol.page, dave.name);
    await expectVideoPlaying(dave.page, carol.name);

    // Dave did not choose relay only: his badge must not promise him a hidden address.
    const daveBadge = dave.page.locator(`[data-testid="video-tile"][data-peer-name="${carol.name}"]`).getByTestId('quality-badge');
    await connectionPath(dave.page, carol.name);
    await daveBadge.click();
    const daveReads = (await dave.page.getByTestId('quality-details').textContent()) ?? '';
    expect(daveReads).not.toMatch(/your IP address stays hidden/i);
    expect(daveReads).toMatch(/Your IP address is not hidden from this participant/);
    expect(daveReads).toMatch(/They chose relay only, so their IP address is hidden from you/);
    expect(await daveBadge.getAttribute('data-our-address')).toBe('shared');
    expect(await daveBadge.getAttribute('data-their-address')).toBe('hidden');

    // Carol did: hers is hidden, and Dave's is not hidden from her.
    const carolBadge = carol.page.locator(`[data-testid="video-tile"][data-peer-name="${dave.name}"]`).getByTestId('quality-badge');
    await connectionPath(carol.page, dave.name);
    await carolBadge.click();
    const carolReads = (await carol.page.getByTestId('quality-details').textContent()) ?? '';
    expect(carolReads).toMatch(/You chose relay only: your IP address stays hidden from this participant/);
    expect(carolReads).not.toMatch(/their IP address is hidden/);
    expect(await carolBadge.getAttribute('data-our-address')).toBe('hidden');
  });
});
