import { describe, expect, it, onTestFailed } from 'vitest';
import { participantsFor } from './support/participants.js';
import { expectVideoPlaying, joinFromPrejoin, openPanel, problemsOf, remoteTile, signUp, twoInACall } from './support/app.js';

describe('moderation with teeth: the host hands over when leaving', () => {
  const people = participantsFor('Alice', 'Bob', 'Carol');

  it('makes the longest-present guest the host when the owner leaves, and they can lock and remove', async () => {
    const { Alice: alice, Bob: bob, Carol: carol } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob, carol)));
    const { link } = await twoInACall(alice, bob, { name: `Handover ${Date.now().toString(36)}`, kind: 'business' });
    await signUp(carol);
    await carol.page.goto(link);
    await joinFromPrejoin(carol.page);
    await expectVideoPlaying(carol.page, bob.name);

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
  });
});
