import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newParticipant, type Participant } from './support/browser.js';
import { createRoom, inviteLink, joinFromPrejoin, problemsOf, signUp } from './support/app.js';

describe('"My rooms"', () => {
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

  it('lists a private room Bob joined by its invite link, and takes him back in without the link', async () => {
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    await signUp(alice);
    await signUp(bob);
    const roomId = await createRoom(alice.page, { name: `Book club ${Date.now().toString(36)}`, kind: 'learning', visibility: 'private' });
    await joinFromPrejoin(alice.page);
    const link = await inviteLink(alice.page);
    expect(link).toContain('invite=');
    await bob.page.goto(link);
    await joinFromPrejoin(bob.page);
    await bob.page.getByTestId('leave-call').click();
    await bob.page.getByTestId('back-to-lobby').click();

    const mine = bob.page.locator(`[data-testid="my-room"][data-room-id="${roomId}"]`);
    await mine.waitFor({ timeout: 15_000 });
    // From there, without the invite code in the link, he gets in again.
    await bob.page.goto(`/room/${roomId}`);
    await joinFromPrejoin(bob.page);
    expect(await bob.page.getByTestId('call-room-name').textContent()).toMatch(/^Book club/);
  });
});
