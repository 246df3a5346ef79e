import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newParticipant, type Participant } from './support/browser.js';
import { createRoom, expectAudioLive, expectVideoPlaying, inviteLink, isInsideViewport, joinFromPrejoin, openPanel, problemsOf, remoteTile, signUp } from './support/app.js';
import { saveScreenshot } from './support/screenshots.js';

describe('a two-person call', () => {
  const gatewayUrl = inject('gatewayUrl');
  let browser: Browser;
  let alice: Participant;
  let bob: Participant;

  beforeAll(async () => {
    browser = await launchBrowser();
    alice = await newParticipant(browser, gatewayUrl, 'Alice');
    bob = await newParticipant(browser, gatewayUrl, 'Bob');
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('A creates a room, B joins by link, and each sees and hears the other', async () => {
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    // Bob waits in the lobby: the room and its occupancy reach him live, without a reload.
    await signUp(bob);
    await bob.page.getByTestId('lobby-feed').and(bob.page.locator('[data-status="live"]')).waitFor();
    await signUp(alice);
    const roomName = `Standup ${Date.now().toString(36)}`;
    const roomId = await createRoom(alice.page, { name: roomName, kind: 'business', visibility: 'public', capacity: 4 });
    const card = bob.page.locator(`[data-testid="room-card"][data-room-id="${roomId}"]`);
    await card.waitFor();
    expect(await card.getByTestId('room-occupancy').getAttribute('data-count')).toBe('0');
    await joinFromPrejoin(alice.page);
    await expect.poll(() => card.getByTestId('room-occupancy').getAttribute('data-count'), { timeout: 15_000 }).toBe('1');
    await saveScreenshot(bob.page, 'lobby');
    const link = await inviteLink(alice.page);
    expect(link).toBe(`${gatewayUrl}/room/${roomId}`);

    await bob.page.goto(link);
    await joinFromPrejoin(bob.page);

    await expectVideoPlaying(alice.page, bob.name);
    await expectVideoPlaying(bob.page, alice.name);
    await expectAudioLive(alice.page, bob.name);
    await expectAudioLive(bob.page, alice.name);
    expect(await bob.page.getByTestId('video-tile').count(), problemsOf(alice, bob)).toBe(1);

    await saveScreenshot(alice.page, 'call');
  });

  it('keeps the call usable on a phone-sized screen', async () => {
    await bob.page.setViewportSize({ width: 390, height: 844 });
    for (const testid of ['toggle-mic', 'toggle-camera', 'toggle-chat', 'leave-call']) {
      expect(await isInsideViewport(bob.page.getByTestId(testid)), testid).toBe(true);
    }
    expect(await isInsideViewport(remoteTile(bob.page, alice.name))).toBe(true);
    await openPanel(bob.page, 'chat');
    expect(await isInsideViewport(bob.page.getByTestId('chat-input'))).toBe(true);
    expect(await isInsideViewport(bob.page.getByTestId('leave-call'))).toBe(true);
    await expectVideoPlaying(bob.page, alice.name);
    await saveScreenshot(bob.page, 'call-phone');
  });
});
