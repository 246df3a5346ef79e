import { describe, expect, it, onTestFailed } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { participantsFor } from './support/participants.js';
import { expectVideoPlaying, isInsideViewport, openPanel, problemsOf, remoteTile, twoInACall } from './support/app.js';
import { controlBarLayout } from './support/layout.js';
import { saveScreenshot } from './support/screenshots.js';

type Box = { x: number; y: number; width: number; height: number };

async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('element has no box (not rendered)');
  return box;
}

/** Overlap of two boxes in px² (0 when they only touch). */
function overlap(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0.5 && height > 0.5 ? width * height : 0;
}

/** The call header on one line: one row of items, nothing spilling past its right edge. */
async function headerLayout(page: Page): Promise<{ rows: number; overflows: boolean; height: number }> {
  return page.locator('header.callbar').evaluate((header) => {
    const items = [...header.children].filter((child) => child.getBoundingClientRect().width > 0);
    const middles = items.map((item) => {
      const rect = item.getBoundingClientRect();
      return Math.round(rect.top + rect.height / 2);
    });
    const rows = new Set(middles.map((middle) => Math.round(middle / 12))).size;
    const rightmost = Math.max(...items.map((item) => item.getBoundingClientRect().right));
    return { rows, overflows: header.scrollWidth > header.clientWidth + 1 || rightmost > window.innerWidth + 0.5, height: header.getBoundingClientRect().height };
  });
}

describe('a game room on a phone', () => {
  const people = participantsFor('Alice', 'Bob');

  it('keeps the controls (one row) and the opponent\'s video clear of the game at 390×844 and 360×640, and the header on one line', async () => {
    const { Alice: alice, Bob: bob } = people;
    onTestFailed(() => console.log(problemsOf(alice, bob)));
    await twoInACall(alice, bob, { name: `Noughts and crosses on the bus ${Date.now().toString(36)}`, kind: 'game', visibility: 'public' });
    await expectVideoPlaying(alice.page, bob.name);

    for (const viewport of [{ width: 390, height: 844 }, { width: 360, height: 640 }]) {
      await alice.page.setViewportSize(viewport);
      if ((await alice.page.getByTestId('side-panel').count()) === 0) await openPanel(alice.page, 'game');
      await alice.page.getByTestId('game-status').waitFor();
      // Let the stage settle at the new size (the grid measures it on resize).
      await alice.page.waitForTimeout(500);
      const label = `${viewport.width}×${viewport.height}`;

      const panel = await boxOf(alice.page.getByTestId('side-panel'));
      const controls = await boxOf(alice.page.locator('footer.controls'));
      const opponent = await boxOf(remoteTile(alice.page, bob.name));
      expect(overlap(panel, controls), `${label}: the game panel covers the controls`).toBe(0);
      expect(overlap(panel, opponent), `${label}: the game panel covers ${bob.name}'s video`).toBe(0);
      expect(await isInsideViewport(remoteTile(alice.page, bob.name)), `${label}: the opponent's tile is cut off`).toBe(true);
      // Still a face, not a stamp.
      expect(opponent.height, `${label}: the opponent's tile is too small`).toBeGreaterThanOrEqual(100);
      expect(await isInsideViewport(alice.page.locator('footer.controls')), `${label}: the controls are cut off`).toBe(true);
      for (const control of ['toggle-mic', 'toggle-camera', 'toggle-game', 'leave-call']) {
        const box = await boxOf(alice.page.getByTestId(control));
        expect(overlap(box, panel), `${label}: ${control} is under the game panel`).toBe(0);
      }
      // Every cell of the board can be seen and tapped.
      for (let cell = 0; cell < 9; cell += 1) {
        const locator = alice.page.getByTestId(`game-cell-${cell}`);
        expect(await isInsideViewport(locator), `${label}: cell ${cell} is off screen`).toBe(true);
        expect(overlap(await boxOf(locator), controls), `${label}: cell ${cell} is under the controls`).toBe(0);
        expect((await boxOf(locator)).height, `${label}: cell ${cell} is too small to tap`).toBeGreaterThanOrEqual(40);
      }

      // One row of controls: the game stays on the bar, chat, people and sharing go into More.
      const bar = await controlBarLayout(alice.page);
      expect(bar.controls, label).toEqual(['toggle-mic', 'toggle-camera', 'toggle-game', 'more-controls', 'leave-call']);
      expect(bar.rows, `${label}: the controls wrap`).toBe(1);
      expect(bar.clipped, `${label}: a control is cut off`).toBe(false);

      const header = await headerLayout(alice.page);
      if (viewport.width === 390) {
        expect(header.rows, `${label}: the header wraps`).toBe(1);
        expect(header.overflows, `${label}: the header spills over the edge`).toBe(false);
      }
      await saveScreenshot(alice.page, `call-game-phone-${viewport.width}`);
    }
    // The board still plays on the small screen.
    await alice.page.getByTestId('game-cell-4').click();
    await expect.poll(() => alice.page.getByTestId('game-cell-4').textContent()).toMatch(/X/);
  });
});
