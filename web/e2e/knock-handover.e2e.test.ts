import { describe, expect, it, onTestFailed } from 'vitest';
import type { Page } from 'playwright-core';
import { participantsFor } from './support/participants.js';
import { saveScreenshot } from './support/screenshots.js';
import { createRoom, expectVideoPlaying, inviteLink, joinFromPrejoin, openPanel, problemsOf, remoteTile, signUp, waitUntilEnabled } from './support/app.js';

/** Opens the room's link on the pre-join: it says the room is locked and offers "Ask to join", which is clicked. */
async function askToJoin(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.getByTestId('room-locked').waitFor();
  expect(await page.getByTestId('room-locked').textContent()).toContain('This room is locked');
  expect(await page.getByTestId('join-call').count()).toBe(0);
  const ask = page.getByTestId('ask-to-join');
  await waitUntilEnabled(ask);
  await ask.click();
  await page.locator('[data-testid="knock-status"][data-state="waiting"]').waitFor();
}

describe('moderation with teeth: knocking on a locked room, and the host handing over', () => {
  const people = participantsFor('Alice', 'Bob', 'Carol', 'Dave');

  it('lets the owner admit one knocker into the locked room and decline another', async () => {
    const { Alice: alice, Bob: bob, Carol: carol, Dave: dave } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob, carol)));
    for (const person of [alice, bob, carol, dave]) await signUp(person);
    await createRoom(alice.page, { name: `Locked ${Date.now().toString(36)}`, kind: 'business' });
    await joinFromPrejoin(alice.page);
    const link = await inviteLink(alice.page);
    await openPanel(alice.page, 'people');
    await alice.page.getByTestId('lock-toggle').check();
    await alice.page.getByTestId('notice').filter({ hasText: 'Room locked' }).waitFor();
    // The owner coming in is not news to herself.
    expect(await alice.page.getByTestId('notice').filter({ hasText: 'is now the host' }).count()).toBe(0);

    // Bob asks, Alice sees who asks and admits him: he is in the call.
    await askToJoin(bob.page, link);
    const bobKnock = alice.page.locator(`[data-testid="knock-request"][data-name="${bob.name}"]`);
    await bobKnock.waitFor();
    expect(await bobKnock.textContent()).toContain(`${bob.name} asks to join`);
    await saveScreenshot(bob.page, 'prejoin-knocking');
    await saveScreenshot(alice.page, 'call-knock-request');
    await bobKnock.getByTestId('knock-admit').click();
    await bob.page.getByTestId('call').waitFor();
    await expectVideoPlaying(bob.page, alice.name);
    await expectVideoPlaying(alice.page, bob.name);
    await bobKnock.waitFor({ state: 'detached' });

    // Carol asks and is declined: she is told so and nothing more, and stays out.
    await askToJoin(carol.page, link);
    const carolKnock = alice.page.locator(`[data-testid="knock-request"][data-name="${carol.name}"]`);
    await carolKnock.getByTestId('knock-decline').click();
    const status = carol.page.locator('[data-testid="knock-status"][data-state="declined"]');
    await status.waitFor();
    expect(await status.textContent()).toBe('The host declined.');
    expect(await carol.page.getByTestId('call').count()).toBe(0);
    await expect.poll(() => remoteTile(alice.page, carol.name).count()).toBe(0);

    // Dave asks and then thinks better of it: Alice's request goes away by itself.
    await askToJoin(dave.page, link);
    const daveKnock = alice.page.locator(`[data-testid="knock-request"][data-name="${dave.name}"]`);
    await daveKnock.waitFor();
    await dave.page.getByTestId('knock-cancel').click();
    await daveKnock.waitFor({ state: 'detached' });
    await dave.page.getByTestId('ask-to-join').waitFor();
  });

  it('makes the longest-present guest the host when the owner leaves, they can lock and remove, and the owner takes it back', async () => {
    const { Alice: alice, Bob: bob, Carol: carol } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob, carol)));
    await alice.page.goto('/');
    await createRoom(alice.page, { name: `Handover ${Date.now().toString(36)}`, kind: 'business' });
    await joinFromPrejoin(alice.page);
    const link = await inviteLink(alice.page);
    for (const guest of [bob, carol]) {
      await guest.page.goto(link);
      await joinFromPrejoin(guest.page);
      await expectVideoPlaying(guest.page, alice.name);
    }

    // Before the owner goes, guests have no moderation controls.
    await openPanel(bob.page, 'people');
    expect(await bob.page.getByTestId('lock-toggle').count()).toBe(0);

    await alice.page.getByTestId('leave-call').click();
    await alice.page.getByTestId('call-end').waitFor();

    // Bob came before Carol: he is the host now, and both are told so.
    await bob.page.getByTestId('notice').filter({ hasText: 'You are now the host.' }).waitFor();
    await carol.page.getByTestId('notice').filter({ hasText: `${bob.name} is now the host.` }).waitFor();
    await bob.page.getByTestId('lock-toggle').waitFor();
    await openPanel(carol.page, 'people');
    await carol.page.locator(`[data-testid="participant"][data-peer-name="${bob.name}"]`).getByTestId('host-badge').waitFor();
    expect(await carol.page.getByTestId('lock-toggle').count()).toBe(0);
    expect(await carol.page.getByTestId('kick').count()).toBe(0);

    // His controls work: he locks the room (Carol sees it) and removes Carol.
    await bob.page.getByTestId('lock-toggle').check();
    await carol.page.getByTestId('notice').filter({ hasText: 'The room is now locked.' }).waitFor();
    const carolRow = bob.page.locator(`[data-testid="participant"][data-peer-name="${carol.name}"]`);
    await carolRow.getByTestId('kick').click();
    await carolRow.getByTestId('kick-confirm').click();
    const carolEnd = carol.page.getByTestId('call-end');
    await carolEnd.waitFor();
    expect(await carolEnd.getAttribute('data-state')).toBe('kicked');
    expect(await carolEnd.textContent()).toMatch(/host removed you/);
    await expect.poll(() => remoteTile(bob.page, carol.name).count()).toBe(0);

    // The owner comes back (the lock does not keep her out) and takes moderation back.
    await alice.page.goto(link);
    await joinFromPrejoin(alice.page);
    await bob.page.getByTestId('notice').filter({ hasText: `${alice.name} is now the host.` }).waitFor();
    await bob.page.getByTestId('lock-toggle').waitFor({ state: 'detached' });
    await openPanel(alice.page, 'people');
    await alice.page.getByTestId('lock-toggle').waitFor();
  });
});
