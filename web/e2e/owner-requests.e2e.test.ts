import { describe, expect, it, onTestFailed } from 'vitest';
import { participantsFor } from './support/participants.js';
import { expectVideoPlaying, inviteLink, joinFromPrejoin, openPanel, problemsOf, signUp, twoInACall } from './support/app.js';

describe('the owner asks, the guest decides; the invite link can be replaced from the call', () => {
  const people = participantsFor('Alice', 'Bob', 'Carol');

  it('asks Bob to mute (he chooses), and a new invite link shuts the old one', async () => {
    const { Alice: alice, Bob: bob, Carol: carol } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob, carol)));
    const { roomId, link: oldLink } = await twoInACall(alice, bob, { name: `Standup ${Date.now().toString(36)}`, kind: 'business', visibility: 'private' });
    await expectVideoPlaying(alice.page, bob.name);
    const bobInAlicesList = alice.page.locator(`[data-testid="participant"][data-peer-name="${bob.name}"]`);

    // The first time Bob keeps talking: nothing is muted for him.
    await openPanel(alice.page, 'people');
    await bobInAlicesList.getByTestId('ask-mute').click();
    const request = bob.page.getByTestId('mute-request');
    await request.waitFor();
    expect(await request.textContent()).toContain(`${alice.name} asks you to mute`);
    await bob.page.getByTestId('mute-request-decline').click();
    await request.waitFor({ state: 'detached' });
    expect(await bob.page.getByTestId('toggle-mic').getAttribute('data-state')).toBe('on');
    expect(await bobInAlicesList.getAttribute('data-muted')).toBe('false');

    // The second time he agrees: his microphone goes off, and Alice sees him muted.
    await bobInAlicesList.getByTestId('ask-mute').click();
    await request.waitFor();
    await bob.page.getByTestId('mute-request-accept').click();
    await expect.poll(() => bob.page.getByTestId('toggle-mic').getAttribute('data-state')).toBe('off');
    await expect.poll(() => bobInAlicesList.getAttribute('data-muted')).toBe('true');
    // Nobody asks a muted person to mute.
    expect(await bobInAlicesList.getByTestId('ask-mute').count()).toBe(0);

    // A new link from the call: shown at once; the old one no longer lets anyone in, the new one does.
    await alice.page.getByTestId('invite-toggle').click();
    await alice.page.getByTestId('rotate-invite').click();
    await expect.poll(() => alice.page.getByTestId('invite-link').inputValue()).not.toBe(oldLink);
    await alice.page.getByTestId('invite-toggle').click();
    const newLink = await inviteLink(alice.page);
    expect(newLink).toContain(`/room/${roomId}?invite=`);

    await signUp(carol);
    await carol.page.goto(oldLink);
    const refused = carol.page.getByTestId('call-end');
    await refused.waitFor();
    expect(await refused.getAttribute('data-state')).toBe('forbidden');
    await carol.page.goto(newLink);
    await joinFromPrejoin(carol.page);
    await expectVideoPlaying(carol.page, alice.name);
    // Bob, already in, is not affected.
    await expectVideoPlaying(bob.page, alice.name);
  });
});
