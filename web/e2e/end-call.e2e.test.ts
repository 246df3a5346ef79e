import { describe, expect, it, onTestFailed } from 'vitest';
import { participantsFor } from './support/participants.js';
import { expectVideoPlaying, joinFromPrejoin, openPanel, problemsOf, twoInACall } from './support/app.js';

describe('ending a call is not deleting the room', () => {
  const people = participantsFor('Alice', 'Bob');

  it('"End call for everyone" puts everyone out and the same link starts the next call; deleting the room warns and ends it for good', async () => {
    const { Alice: alice, Bob: bob } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    const { roomId, link } = await twoInACall(alice, bob, { name: `Weekly ${Date.now().toString(36)}`, kind: 'learning', visibility: 'private' });
    await expectVideoPlaying(alice.page, bob.name);

    await openPanel(alice.page, 'people');
    await alice.page.getByTestId('end-for-everyone').click();
    await alice.page.getByTestId('end-for-everyone-confirm').click();
    for (const person of [alice, bob]) {
      const end = person.page.getByTestId('call-end');
      await end.waitFor();
      expect(await end.getAttribute('data-state')).toBe('ended');
    }
    const bobSees = (await bob.page.getByTestId('call-end').textContent()) ?? '';
    expect(bobSees).toMatch(/host ended the call for everyone/);
    expect(bobSees).not.toMatch(/Reason given|“/);

    // The next call: the same invite link still lets Bob in, and Alice back into her room.
    await bob.page.goto(link);
    await joinFromPrejoin(bob.page);
    const joinAgain = alice.page.getByTestId('rejoin');
    expect(await joinAgain.textContent()).toMatch(/Join again/);
    await joinAgain.click();
    await joinFromPrejoin(alice.page);
    await expectVideoPlaying(alice.page, bob.name);
    await expectVideoPlaying(bob.page, alice.name);

    // Deleting is its own action, from "My rooms", and it says that people are inside.
    const lobby = await alice.context.newPage();
    await lobby.goto('/');
    const mine = lobby.locator(`[data-testid="my-room"][data-room-id="${roomId}"]`);
    await mine.waitFor({ timeout: 15_000 });
    await mine.getByTestId('delete-room').click();
    const warning = mine.getByTestId('delete-room-warning');
    await expect.poll(async () => (await warning.textContent()) ?? '').toMatch(/2 people are in a call here/);
    await mine.getByTestId('delete-room-confirm').click();

    const bobEnd = bob.page.getByTestId('call-end');
    await bobEnd.waitFor();
    expect(await bobEnd.getAttribute('data-state')).toBe('closed');
    expect(await bobEnd.textContent()).toMatch(/owner closed this room/);
    await mine.waitFor({ state: 'detached' });
    // And now the link is dead.
    await bob.page.goto(link);
    const refused = bob.page.getByTestId('call-end');
    await refused.waitFor();
    expect(await refused.getAttribute('data-state')).toBe('closed');
  });
});
