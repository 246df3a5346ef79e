import { describe, expect, it, onTestFailed } from 'vitest';
import type { Page } from 'playwright-core';
import { participantsFor } from './support/participants.js';
import { createRoom, isInsideViewport, joinFromPrejoin, problemsOf, signUp } from './support/app.js';

describe('the lobby order and layout', () => {
  const people = participantsFor('Alice', 'Bob', 'Carol');

  const cardIds = (page: Page) => page.getByTestId('room-card').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-room-id')));

  it('lists busy rooms first, then new ones, follows live occupancy, and keeps the search results in view', async () => {
    const { Alice: alice, Bob: bob, Carol: carol } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob, carol)));
    for (const person of [alice, bob, carol]) await signUp(person);
    // Six rooms of Alice's, oldest first: enough "My rooms" to fill a screen above the list.
    const tag = `Orchard${Date.now().toString(36)}`;
    const ids: string[] = [];
    for (let n = 1; n <= 6; n += 1) {
      await alice.page.goto('/');
      ids.push(await createRoom(alice.page, { name: `${tag} ${n}`, kind: 'coding' }));
    }
    // Bob sits in the oldest one.
    await bob.page.goto(`/room/${ids[0]}`);
    await joinFromPrejoin(bob.page);

    await alice.page.goto('/');
    await alice.page.getByTestId('lobby-feed').and(alice.page.locator('[data-status="live"]')).waitFor();
    await alice.page.getByTestId('room-search').fill(tag);
    const newestFirst = [...ids].reverse();
    await expect.poll(() => cardIds(alice.page), { timeout: 15_000 }).toEqual([ids[0], ...newestFirst.slice(0, 5)]);
    expect(await alice.page.getByTestId('lobby-sort').inputValue()).toBe('occupancy');
    // The first result is on screen, not below "My rooms" and the join form.
    expect(await isInsideViewport(alice.page.getByTestId('room-card').first())).toBe(true);

    // Carol joins the second-oldest room while Alice looks: it moves up without a reload, ahead of
    // the older busy one.
    await carol.page.goto(`/room/${ids[1]}`);
    await joinFromPrejoin(carol.page);
    await expect.poll(() => cardIds(alice.page), { timeout: 15_000 }).toEqual([ids[1], ids[0], ...newestFirst.slice(0, 4)]);

    // "Newest first" is still there for whoever wants it.
    await alice.page.getByTestId('lobby-sort').selectOption('newest');
    await expect.poll(() => cardIds(alice.page), { timeout: 15_000 }).toEqual(newestFirst);

    // On a phone "My rooms" and the join form fold away above the list, so the results stay in view.
    await alice.page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => isInsideViewport(alice.page.getByTestId('room-card').first())).toBe(true);
    expect(await alice.page.getByTestId('my-rooms-fold').getAttribute('open')).toBeNull();
  });
});
