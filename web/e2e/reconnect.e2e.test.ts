import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newParticipant, type Participant } from './support/browser.js';
import { createRoom, expectVideoPlaying, inviteLink, joinFromPrejoin, openPanel, problemsOf, remoteTile, sendChat, signUp } from './support/app.js';

/** Remembers, inside the page, whether the reconnect banner was ever shown. */
async function watchForBanner(page: Page): Promise<void> {
  await page.evaluate(() => {
    const flags = window as unknown as { sawReconnectBanner: boolean };
    flags.sawReconnectBanner = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="reconnect-banner"]')) flags.sawReconnectBanner = true;
    }).observe(document.body, { childList: true, subtree: true });
  });
}

function sawBanner(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { sawReconnectBanner: boolean }).sawReconnectBanner);
}

describe('signaling restarts during a call', () => {
  const gatewayUrl = inject('gatewayUrl');
  const controlUrl = inject('controlUrl');
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

  it('shows a banner, takes the same seats back (Bob under his name for this call) and keeps the media flowing', async () => {
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    await signUp(alice);
    await signUp(bob);
    await createRoom(alice.page, { name: `Resilient ${Date.now().toString(36)}` });
    await joinFromPrejoin(alice.page);
    await bob.page.goto(await inviteLink(alice.page));
    // The name for this call lives with the seat on the server: a resume must keep it.
    const bobInCall = `Bob on the bus ${Date.now().toString(36)}`;
    await joinFromPrejoin(bob.page, { callName: bobInCall });
    await expectVideoPlaying(alice.page, bobInCall);
    await expectVideoPlaying(bob.page, alice.name);
    const bobPeerId = await remoteTile(alice.page, bobInCall).getAttribute('data-peer-id');
    const alicePeerId = await remoteTile(bob.page, alice.name).getAttribute('data-peer-id');
    for (const page of [alice.page, bob.page]) await watchForBanner(page);

    // Restart every signaling replica in turn: whichever one holds a socket drops it.
    for (const index of [0, 1]) {
      const response = await fetch(`${controlUrl}/signaling/${index}/restart`, { method: 'POST' });
      expect(response.status).toBe(204);
    }

    expect((await sawBanner(alice.page)) || (await sawBanner(bob.page))).toBe(true);
    for (const page of [alice.page, bob.page]) {
      await page.getByTestId('reconnect-banner').waitFor({ state: 'detached', timeout: 30_000 });
    }
    // The same seats (peer ids) were taken back, not new ones, and the calls never stopped.
    expect(await remoteTile(alice.page, bobInCall).getAttribute('data-peer-id')).toBe(bobPeerId);
    expect(await remoteTile(bob.page, alice.name).getAttribute('data-peer-id')).toBe(alicePeerId);
    await expectVideoPlaying(alice.page, bobInCall);
    await expectVideoPlaying(bob.page, alice.name);

    // Signaling works again for both.
    await sendChat(alice.page, 'Still here after the restart?');
    await openPanel(bob.page, 'chat');
    await bob.page.getByTestId('chat-message').filter({ hasText: 'Still here after the restart?' }).waitFor();
    await sendChat(bob.page, 'Yes, never left.');
    const answer = alice.page.getByTestId('chat-message').filter({ hasText: 'Yes, never left.' });
    await answer.waitFor();
    expect(await answer.getAttribute('data-author'), 'the resumed seat lost its call name').toBe(bobInCall);
  });
});
