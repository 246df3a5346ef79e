/**
 * How many of the newest matching rooms are ranked by live occupancy. Occupancy lives in Redis,
 * so ranking means reading one count per candidate; beyond this window rooms follow in newest
 * order. A lobby showing the busiest rooms among the newest thousand is what people look at,
 * and the cost per request stays bounded whatever the number of rooms.
 */
export const OCCUPANCY_RANKING_WINDOW = 1000;

export interface OccupancyPagePlan {
  /** Ranked room ids that fall on the requested page, in order. */
  rankedIds: string[];
  /** Where the rest of the page comes from when it reaches past the window, in newest order. */
  beyondWindow: { skip: number; limit: number } | null;
}

/**
 * Plans one page of the occupancy sort. `candidates` are the newest matching room ids (newest
 * first, at most `window` of them) and `counts` their live occupancy. The order is: busiest
 * first, newest first among equals; positions past the window continue in newest order, which
 * is exact there because the window holds precisely the newest `window` rooms.
 */
export function planOccupancyPage(candidates: string[], counts: number[], window: number, skip: number, limit: number): OccupancyPagePlan {
  const ranked = candidates
    .map((id, position) => ({ id, position, count: counts[position] ?? 0 }))
    .sort((a, b) => b.count - a.count || a.position - b.position)
    .map((candidate) => candidate.id);
  const rankedIds = ranked.slice(skip, skip + limit);
  const missing = limit - rankedIds.length;
  const windowFull = candidates.length >= window;
  return {
    rankedIds,
    beyondWindow: missing > 0 && windowFull ? { skip: Math.max(skip, window), limit: missing } : null,
  };
}
