import { describe, expect, it, onTestFailed } from 'vitest';
import { participantsFor } from './support/participants.js';
import { joinFromPrejoin, problemsOf, twoInACall } from './support/app.js';

describe('"My rooms"', () => {
  const people = participantsFor('Alice', 'Bob');

  it('lists a private room Bob joined by its invite link, and takes him back in without the link', async () => {
    const { Alice: alice, Bob: bob } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    const { roomId, link } = await twoInACall(alice, bob, { name: `Book club ${Date.now().toString(36)}`, kind: 'learning', visibility: 'private' });
    expect(link).toContain('invite=');
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
