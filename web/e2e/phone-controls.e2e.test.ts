import { describe, expect, it, onTestFailed } from 'vitest';
import type { Page } from 'playwright-core';
import { participantsFor } from './support/participants.js';
import { expectVideoPlaying, isInsideViewport, problemsOf, tabTo, twoInACall } from './support/app.js';
import { controlBarLayout } from './support/layout.js';
import { saveScreenshot } from './support/screenshots.js';

const PHONES = [
  { width: 360, height: 640 },
  { width: 390, height: 844 },
  { width: 412, height: 915 },
];

const focusedTestId = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

describe('the call controls on a phone', () => {
  const people = participantsFor('Alice', 'Bob');

  it('fit one row at 360, 390 and 412 px, the rest in a More menu that works by keyboard and says what it is', async () => {
    const { Alice: alice, Bob: bob } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    await twoInACall(alice, bob, { name: `Stand-up on the train ${Date.now().toString(36)}`, kind: 'business', visibility: 'public' });
    await expectVideoPlaying(bob.page, alice.name);
    const page = bob.page;

    // On a laptop everything is on the bar and there is no More.
    expect((await controlBarLayout(page)).controls).toEqual(['toggle-mic', 'toggle-camera', 'toggle-screen', 'toggle-chat', 'toggle-people', 'leave-call']);

    for (const viewport of PHONES) {
      const label = `${viewport.width}×${viewport.height}`;
      await page.setViewportSize(viewport);
      await page.getByTestId('more-controls').waitFor();
      const bar = await controlBarLayout(page);
      expect(bar.controls, label).toEqual(['toggle-mic', 'toggle-camera', 'toggle-chat', 'more-controls', 'leave-call']);
      expect(bar.rows, `${label}: the controls wrap`).toBe(1);
      expect(bar.clipped, `${label}: a control is cut off`).toBe(false);

      const more = page.getByTestId('more-controls');
      expect(await more.getAttribute('aria-haspopup'), label).toBe('menu');
      expect(await more.getAttribute('aria-expanded'), label).toBe('false');
      await more.click();
      const menu = page.getByTestId('more-menu');
      expect(await more.getAttribute('aria-expanded'), label).toBe('true');
      expect(await menu.getAttribute('role')).toBe('menu');
      const items = menu.locator('[role="menuitemcheckbox"]');
      expect(await items.evaluateAll((all) => all.map((item) => [item.getAttribute('data-testid'), item.textContent?.trim()])), label).toEqual([
        ['toggle-screen', 'Share your screen'],
        ['toggle-people', 'People'],
      ]);
      for (const testid of ['toggle-screen', 'toggle-people']) {
        expect(await isInsideViewport(page.getByTestId(testid)), `${label}: ${testid} in the menu is off screen`).toBe(true);
      }
      await saveScreenshot(page, `call-phone-more-${viewport.width}`);
      // A press elsewhere closes it.
      await page.getByTestId('call-room-name').click();
      await menu.waitFor({ state: 'detached' });
    }

    // By keyboard at 360 px: Tab to More, Enter opens with the focus on the first item, arrows
    // move, Esc closes back to the button, and choosing an item does what its button did.
    await page.setViewportSize(PHONES[0]!);
    await page.getByTestId('more-controls').waitFor();
    await tabTo(page, 'more-controls');
    await page.keyboard.press('Enter');
    await page.getByTestId('more-menu').waitFor();
    expect(await focusedTestId(page)).toBe('toggle-screen');
    await page.keyboard.press('ArrowDown');
    expect(await focusedTestId(page)).toBe('toggle-people');
    await page.keyboard.press('ArrowDown');
    expect(await focusedTestId(page), 'the arrows wrap around').toBe('toggle-screen');
    await page.keyboard.press('Escape');
    await page.getByTestId('more-menu').waitFor({ state: 'detached' });
    expect(await focusedTestId(page)).toBe('more-controls');

    await page.keyboard.press('ArrowUp');
    await page.getByTestId('more-menu').waitFor();
    expect(await focusedTestId(page), 'ArrowUp opens on the last item').toBe('toggle-people');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="side-panel"][data-panel="people"]').waitFor();
    await expect.poll(() => page.getByTestId('participant').count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('more-menu').count()).toBe(0);
    // The menu says the People panel is open.
    await page.getByTestId('more-controls').click();
    expect(await page.getByTestId('toggle-people').getAttribute('aria-checked')).toBe('true');
    await page.keyboard.press('Escape');
    const withPanel = await controlBarLayout(page);
    expect(withPanel.rows, 'with the panel open the controls still sit on one row').toBe(1);
    expect(withPanel.clipped).toBe(false);
  });
});
