import { describe, expect, it } from 'vitest';
import { planOccupancyPage } from './occupancy-ranking.js';

describe('planOccupancyPage', () => {
  const newestFirst = ['r1', 'r2', 'r3', 'r4', 'r5'];
  const counts = [0, 3, 1, 3, 0];

  it('puts the busiest first and keeps newest-first order among equals', () => {
    expect(planOccupancyPage(newestFirst, counts, 10, 0, 5)).toEqual({ rankedIds: ['r2', 'r4', 'r3', 'r1', 'r5'], beyondWindow: null });
  });

  it('pages through the ranking', () => {
    expect(planOccupancyPage(newestFirst, counts, 10, 2, 2).rankedIds).toEqual(['r3', 'r1']);
    expect(planOccupancyPage(newestFirst, counts, 10, 4, 2)).toEqual({ rankedIds: ['r5'], beyondWindow: null });
    expect(planOccupancyPage(newestFirst, counts, 10, 6, 2)).toEqual({ rankedIds: [], beyondWindow: null });
  });

  it('continues past a full window in newest order from the window edge', () => {
    // Window of 5 is full: positions 5.. are rooms older than every candidate.
    expect(planOccupancyPage(newestFirst, counts, 5, 4, 3)).toEqual({ rankedIds: ['r5'], beyondWindow: { skip: 5, limit: 2 } });
    expect(planOccupancyPage(newestFirst, counts, 5, 7, 3)).toEqual({ rankedIds: [], beyondWindow: { skip: 7, limit: 3 } });
  });
});
