import { describe, expect, it, onTestFailed } from 'vitest';
import type { Page } from 'playwright-core';
import { participantsFor } from './support/participants.js';
import { createRoom, expectVideoPlaying, inviteLink, joinFromPrejoin, problemsOf, remoteTile, setMicrophone, signUp } from './support/app.js';
import { saveScreenshot } from './support/screenshots.js';

/**
 * Who is speaking, a pinned tile, and a screen share on the large tile. Every browser's fake
 * microphone beeps, so whoever is unmuted "speaks".
 */
describe('the active speaker and the large tile', () => {
  const people = participantsFor('Alice', 'Bob', 'Carol');

  const speaking = (page: Page, name: string) => remoteTile(page, name).getAttribute('data-speaking');
  const layoutOf = (page: Page) => page.getByTestId('video-grid').getAttribute('data-layout');
  const widthOf = async (page: Page, name: string) => (await remoteTile(page, name).boundingBox())?.width ?? 0;

  it('highlights whoever speaks, pins a tile large, and puts a shared screen on the large tile while it is on', async () => {
    const { Alice: alice, Bob: bob, Carol: carol } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob, carol)));
    for (const person of [alice, bob, carol]) await signUp(person);
    await createRoom(alice.page, { name: `Panel ${Date.now().toString(36)}`, kind: 'business', capacity: 4 });
    await joinFromPrejoin(alice.page);
    const link = await inviteLink(alice.page);
    for (const person of [bob, carol]) {
      await person.page.goto(link);
      await joinFromPrejoin(person.page);
    }
    await expectVideoPlaying(alice.page, bob.name);
    await expectVideoPlaying(alice.page, carol.name);

    // Bob speaks, Alice and Carol are muted: Alice sees Bob highlighted.
    await setMicrophone(alice.page, false);
    await setMicrophone(carol.page, false);
    await setMicrophone(bob.page, true);
    await expect.poll(() => speaking(alice.page, bob.name), { timeout: 20_000 }).toBe('true');
    expect(await speaking(alice.page, carol.name)).toBe('false');
    await saveScreenshot(alice.page, 'call-speaker');

    // Bob stops and Carol speaks: the highlight moves to Carol.
    await setMicrophone(bob.page, false);
    await setMicrophone(carol.page, true);
    await expect.poll(() => speaking(alice.page, carol.name), { timeout: 20_000 }).toBe('true');
    await expect.poll(() => speaking(alice.page, bob.name), { timeout: 10_000 }).toBe('false');

    // Alice pins Bob: his tile is the large one, the others a strip below; unpinning goes back.
    expect(await layoutOf(alice.page)).toBe('grid');
    await remoteTile(alice.page, bob.name).getByTestId('pin-tile').click();
    await expect.poll(() => layoutOf(alice.page)).toBe('featured');
    expect(await alice.page.getByTestId('featured-tile').locator(`[data-peer-name="${bob.name}"]`).count()).toBe(1);
    expect(await remoteTile(alice.page, bob.name).getAttribute('data-pinned')).toBe('true');
    expect(await widthOf(alice.page, bob.name)).toBeGreaterThan(3 * (await widthOf(alice.page, carol.name)));
    await remoteTile(alice.page, bob.name).getByTestId('pin-tile').click();
    await expect.poll(() => layoutOf(alice.page)).toBe('grid');

    // Carol shares her screen: it takes the large tile for everyone else while it is on.
    await carol.page.getByTestId('toggle-screen').click();
    for (const viewer of [alice, bob]) {
      await expect.poll(() => layoutOf(viewer.page), { timeout: 20_000 }).toBe('featured');
      expect(await viewer.page.getByTestId('featured-tile').locator(`[data-peer-name="${carol.name}"]`).count()).toBe(1);
    }
    await saveScreenshot(alice.page, 'call-screen-large');
    expect(await layoutOf(carol.page)).toBe('grid');
    await carol.page.getByTestId('toggle-screen').click();
    await expect.poll(() => layoutOf(alice.page), { timeout: 20_000 }).toBe('grid');
  });
});
