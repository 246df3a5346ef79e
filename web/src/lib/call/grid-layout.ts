/**
 * Columns for the video grid: as square as possible, so tiles stay large, with the stage's shape
 * deciding between more columns (landscape) or more rows (portrait phone).
 */
export function gridColumns(tileCount: number, stageWidth: number, stageHeight: number): number {
  const count = Math.max(1, tileCount);
  const landscape = stageWidth >= stageHeight;
  if (count === 1) return 1;
  if (!landscape && stageWidth < 640) return count <= 3 ? 1 : 2;
  if (count === 2) return landscape ? 2 : 1;
  if (count <= 4) return 2;
  if (count <= 6) return landscape ? 3 : 2;
  return landscape ? 4 : 3;
}
