import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newParticipant, type Participant } from './support/browser.js';
import { createRoom, expectVideoPlaying, inviteLink, joinFromPrejoin, openPanel, problemsOf, remoteTile, setMicrophone, signUp } from './support/app.js';
import { saveScreenshot } from './support/screenshots.js';

/**
 * Each tile and its name label that does not lie entirely inside the visible video area (the
 * stage, itself clipped by the window), as "name: what sticks out" lines; empty when all fit.
 */
async function tilesOutsideStage(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const stage = document.querySelector('section.stage')?.getBoundingClientRect();
    if (!stage) return ['no stage'];
    const visible = {
      left: Math.max(stage.left, 0),
      top: Math.max(stage.top, 0),
      right: Math.min(stage.right, window.innerWidth),
      bottom: Math.min(stage.bottom, window.innerHeight),
    };
    const inside = (box: DOMRect): boolean =>
      box.left >= visible.left - 0.5 && box.top >= visible.top - 0.5 && box.right <= visible.right + 0.5 && box.bottom <= visible.bottom + 0.5;
    const problems: string[] = [];
    for (const tile of document.querySelectorAll<HTMLElement>('[data-testid="local-tile"], [data-testid="video-tile"]')) {
      const name = tile.querySelector('.name');
      const who = tile.dataset.peerName ?? '?';
      if (!inside(tile.getBoundingClientRect())) problems.push(`${who}: tile ${JSON.stringify(tile.getBoundingClientRect())} outside ${JSON.stringify(visible)}`);
      if (!name) problems.push(`${who}: no name label`);
      else if (!inside(name.getBoundingClientRect())) problems.push(`${who}: name label ${JSON.stringify(name.getBoundingClientRect())} outside ${JSON.stringify(visible)}`);
    }
    return problems;
  });
}

async function expectEveryTileInView(page: Page, tiles: number): Promise<void> {
  await expect.poll(() => page.locator('[data-testid="local-tile"], [data-testid="video-tile"]').count(), { timeout: 45_000 }).toBe(tiles);
  // The grid re-lays itself out when the stage is measured; poll rather than race the first frame.
  await expect.poll(() => tilesOutsideStage(page), { timeout: 5_000 }).toEqual([]);
}

describe('the video grid with three and four people', () => {
  const gatewayUrl = inject('gatewayUrl');
  let browser: Browser;
  let people: Participant[];

  beforeAll(async () => {
    browser = await launchBrowser();
    people = [];
    for (const label of ['Alice', 'Bob', 'Carol', 'Dave']) people.push(await newParticipant(browser, gatewayUrl, label));
    for (const person of people) await signUp(person);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('keeps every tile and name label inside the video area at 1280×800, with or without the side panel, and on a phone on its side', async () => {
    onTestFailed(() => console.log(problemsOf(...people)));
    const [alice, ...others] = people as [Participant, Participant, Participant, Participant];
    await createRoom(alice.page, { name: `Grid ${Date.now().toString(36)}`, kind: 'business', capacity: 4 });
    await joinFromPrejoin(alice.page);
    const link = await inviteLink(alice.page);
    for (const [index, person] of others.entries()) {
      await person.page.goto(link);
      await joinFromPrejoin(person.page);
      const tiles = index + 2;
      if (tiles < 3) continue;
      await expectEveryTileInView(alice.page, tiles);
      await openPanel(alice.page, 'people');
      await expectEveryTileInView(alice.page, tiles);
      await alice.page.getByTestId('toggle-people').click();
      await alice.page.getByTestId('side-panel').waitFor({ state: 'detached' });
    }
    await saveScreenshot(alice.page, 'call-four');

    // The README's picture (docs/call-four-speaker.png is a copy): four people, every tile and
    // name in view, video playing, and Bob, the only one unmuted, ringed as the active speaker.
    const bob = others[0];
    for (const person of people) await setMicrophone(person.page, person === bob);
    for (const other of others) await expectVideoPlaying(alice.page, other.name);
    await expect.poll(() => remoteTile(alice.page, bob.name).getAttribute('data-speaking'), { timeout: 20_000 }).toBe('true');
    for (const quiet of others.slice(1)) expect(await remoteTile(alice.page, quiet.name).getAttribute('data-speaking')).toBe('false');
    await expectEveryTileInView(alice.page, 4);
    await saveScreenshot(alice.page, 'call-four-speaker');

    // Phone on its side: the bars leave a short, wide stage.
    await alice.page.setViewportSize({ width: 844, height: 390 });
    await expectEveryTileInView(alice.page, 4);
    await alice.page.setViewportSize({ width: 1280, height: 800 });
  });
});
