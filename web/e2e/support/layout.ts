import type { Page } from 'playwright-core';

/** The call's control bar as a person sees it: how many rows its buttons sit on, and whether any is cut off. */
export interface ControlBarLayout {
  rows: number;
  /** The bar scrolls sideways or a button reaches past the window's edge. */
  clipped: boolean;
  /** The test ids of the bar's buttons, left to right. */
  controls: string[];
}

export async function controlBarLayout(page: Page): Promise<ControlBarLayout> {
  return page.locator('footer.controls').evaluate((bar) => {
    const buttons = [...bar.querySelectorAll<HTMLElement>('button[data-testid]:not([role^="menuitem"])')].filter((button) => button.getBoundingClientRect().width > 0);
    const rects = buttons.map((button) => button.getBoundingClientRect());
    // Buttons whose vertical middles lie within 12 px of each other share a row.
    const rows = new Set(rects.map((rect) => Math.round((rect.top + rect.height / 2) / 12))).size;
    const clipped =
      bar.scrollWidth > bar.clientWidth + 1 || rects.some((rect) => rect.left < -0.5 || rect.right > window.innerWidth + 0.5 || rect.bottom > window.innerHeight + 0.5);
    return { rows, clipped, controls: buttons.map((button) => button.dataset.testid ?? '') };
  });
}
