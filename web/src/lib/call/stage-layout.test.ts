import { describe, expect, it } from 'vitest';
import { TILE_GAP_PX } from './grid-layout.js';
import { featuredLayout, featuredTileId } from './stage-layout.js';

describe('featuredTileId', () => {
  const tiles = [
    { id: 'self', remoteScreen: false },
    { id: 'bob', remoteScreen: false },
    { id: 'carol', remoteScreen: true },
  ];

  it('shows a shared screen large, and a pinned tile before it', () => {
    expect(featuredTileId(tiles, null)).toBe('carol');
    expect(featuredTileId(tiles, 'bob')).toBe('bob');
  });

  it('goes back to the grid when nothing is pinned or shared, or the pinned person left', () => {
    const noShare = tiles.map((tile) => ({ ...tile, remoteScreen: false }));
    expect(featuredTileId(noShare, null)).toBeNull();
    expect(featuredTileId(noShare, 'dave')).toBeNull();
  });
});

describe('featuredLayout', () => {
  it('keeps the large tile and the strip inside the stage', () => {
    for (const stage of [
      { width: 1280, height: 640 },
      { width: 390, height: 500 },
      { width: 844, height: 250 },
    ]) {
      const { featured, strip } = featuredLayout(stage);
      expect(featured.tileWidth).toBeLessThanOrEqual(stage.width);
      expect(featured.tileHeight + TILE_GAP_PX + strip.tileHeight).toBeLessThanOrEqual(stage.height);
      expect(strip.tileHeight).toBeGreaterThan(0);
    }
  });
});
