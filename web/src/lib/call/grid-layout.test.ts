import { describe, expect, it } from 'vitest';
import { gridLayout, TILE_ASPECT_RATIO, TILE_GAP_PX } from './grid-layout.js';

/**
 * The stage a viewport leaves for the grid in CallView: the top bar and the controls take 161 px
 * of height (measured in Chromium at 1280×800), the body's padding 24 px of width, and from 821 px up an open side panel
 * (at most 340 px plus a gap) sits beside the stage; narrower, the panel is a sheet over it.
 */
function stageOf(viewport: { width: number; height: number }, panelOpen: boolean): { width: number; height: number } {
  const panel = panelOpen && viewport.width > 820 ? 340 + TILE_GAP_PX : 0;
  return { width: viewport.width - 24 - panel, height: viewport.height - 161 };
}

const viewports = [
  { width: 360, height: 640 },
  { width: 640, height: 360 },
  { width: 390, height: 844 },
  { width: 844, height: 390 },
  { width: 768, height: 1024 },
  { width: 1024, height: 768 },
  { width: 1280, height: 800 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
  { width: 2560, height: 1440 },
];
const counts = [1, 2, 3, 4, 5, 6, 7, 8];

describe('gridLayout', () => {
  const cases = viewports.flatMap((viewport) =>
    [false, true].flatMap((panelOpen) => counts.map((count) => ({ viewport, panelOpen, count }))),
  );

  it.each(cases)('fits $count tiles in $viewport.width×$viewport.height (panel open: $panelOpen)', ({ viewport, panelOpen, count }) => {
    const stage = stageOf(viewport, panelOpen);
    const layout = gridLayout(count, stage);
    expect(layout.columns * layout.rows).toBeGreaterThanOrEqual(count);
    expect(layout.tileWidth).toBeGreaterThan(0);
    // Every tile's box, laid out row by row from the grid's top-left corner, ends inside the stage.
    for (let index = 0; index < count; index += 1) {
      const right = ((index % layout.columns) + 1) * (layout.tileWidth + TILE_GAP_PX) - TILE_GAP_PX;
      const bottom = (Math.floor(index / layout.columns) + 1) * (layout.tileHeight + TILE_GAP_PX) - TILE_GAP_PX;
      expect(right).toBeLessThanOrEqual(stage.width);
      expect(bottom).toBeLessThanOrEqual(stage.height);
    }
    expect(layout.tileWidth / layout.tileHeight).toBeCloseTo(TILE_ASPECT_RATIO, 1);
  });

  it('picks the column count that gives the largest tiles, shrinking tiles to fit the height', () => {
    // 1280×800 leaves 1256×639: two rows of 16:10 tiles as wide as two columns (622 px) would be
    // 389 px tall, too tall for two rows, so they shrink to 501×313; three side by side would be 410 wide.
    const laptop = stageOf({ width: 1280, height: 800 }, false);
    expect(gridLayout(3, laptop)).toEqual({ columns: 2, rows: 2, tileWidth: 501, tileHeight: 313 });
    expect(gridLayout(4, laptop)).toEqual({ columns: 2, rows: 2, tileWidth: 501, tileHeight: 313 });
    // A phone on its side puts three people in one row; held upright it stacks them.
    expect(gridLayout(3, stageOf({ width: 844, height: 390 }, false)).columns).toBe(3);
    expect(gridLayout(3, stageOf({ width: 390, height: 844 }, false)).columns).toBe(1);
  });

  it('treats an empty stage as one tile and never gives a negative size', () => {
    expect(gridLayout(0, { width: 1000, height: 500 })).toMatchObject({ columns: 1, rows: 1 });
    expect(gridLayout(4, { width: 0, height: 0 })).toMatchObject({ tileWidth: 0, tileHeight: 0 });
  });
});
