import { gridLayout, TILE_ASPECT_RATIO, TILE_GAP_PX, type GridLayout } from './grid-layout.js';

/** What the stage needs to know of a tile to choose the large one. */
export interface StageTile {
  id: string;
  /** Someone else sharing their screen (our own share is not shown large to ourselves). */
  remoteScreen: boolean;
}

/**
 * The tile shown large: the one pinned while it is in the call, else a screen being shared (the
 * first one listed), else none, and every tile shares the grid.
 */
export function featuredTileId(tiles: readonly StageTile[], pinnedId: string | null): string | null {
  if (pinnedId !== null && tiles.some((tile) => tile.id === pinnedId)) return pinnedId;
  return tiles.find((tile) => tile.remoteScreen)?.id ?? null;
}

export interface FeaturedLayout {
  /** The large tile, as large as fits above the strip. */
  featured: GridLayout;
  /** Each of the other tiles, in one scrolling row under it. */
  strip: { tileWidth: number; tileHeight: number };
}

/** The strip's tiles: a fifth of the stage's height, between these bounds. */
const STRIP_MIN_HEIGHT_PX = 64;
const STRIP_MAX_HEIGHT_PX = 120;

export function featuredLayout(stage: { width: number; height: number }): FeaturedLayout {
  const stripHeight = Math.floor(Math.min(STRIP_MAX_HEIGHT_PX, Math.max(STRIP_MIN_HEIGHT_PX, stage.height / 5)));
  const featured = gridLayout(1, { width: stage.width, height: Math.max(0, stage.height - stripHeight - TILE_GAP_PX) });
  return { featured, strip: { tileHeight: stripHeight, tileWidth: Math.floor(stripHeight * TILE_ASPECT_RATIO) } };
}
