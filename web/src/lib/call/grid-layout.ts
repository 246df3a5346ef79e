/** Width over height of a video tile. */
export const TILE_ASPECT_RATIO = 16 / 10;
/** Space between tiles, in CSS pixels (the grid's `gap`). */
export const TILE_GAP_PX = 12;

export interface GridLayout {
  columns: number;
  rows: number;
  /** Tile size in whole CSS pixels, rounded down so the last row can never end past the stage. */
  tileWidth: number;
  tileHeight: number;
}

/**
 * How to lay out the video tiles on a stage of the given size: every column count is tried, each
 * tile is as large as both the column width and the row height allow at the tiles' aspect ratio,
 * and the count with the largest tiles wins (the fewer columns on a tie). Sizing by the height as
 * well as the width is what keeps a second row from being cut off on a wide, short screen.
 */
export function gridLayout(tileCount: number, stage: { width: number; height: number }): GridLayout {
  const count = Math.max(1, tileCount);
  let best = layoutWithColumns(count, 1, stage);
  for (let columns = 2; columns <= count; columns += 1) {
    const candidate = layoutWithColumns(count, columns, stage);
    if (candidate.tileWidth > best.tileWidth) best = candidate;
  }
  return best;
}

function layoutWithColumns(count: number, columns: number, stage: { width: number; height: number }): GridLayout {
  const rows = Math.ceil(count / columns);
  const widthPerColumn = (stage.width - (columns - 1) * TILE_GAP_PX) / columns;
  const heightPerRow = (stage.height - (rows - 1) * TILE_GAP_PX) / rows;
  const tileWidth = Math.max(0, Math.floor(Math.min(widthPerColumn, heightPerRow * TILE_ASPECT_RATIO)));
  return { columns, rows, tileWidth, tileHeight: Math.floor(tileWidth / TILE_ASPECT_RATIO) };
}
