import { describe, expect, it } from 'vitest';
import { NEWEST_FIRST, roomSchema } from './mongo-room-repository.js';

/**
 * MongoDB serves a sort from an index only when the sort keys follow the equality fields of the
 * filter in the index, in order and direction; otherwise it seeks and then sorts every match in
 * memory, which at 100k rooms is the whole lobby (issue 15).
 */
function servesSortedQuery(index: Record<string, unknown>, equalityFields: string[], sort: Record<string, number>): boolean {
  const keys = Object.entries(index);
  const prefix = keys.slice(0, equalityFields.length).map(([field]) => field);
  if ([...prefix].sort().join() !== [...equalityFields].sort().join()) return false;
  const rest = keys.slice(equalityFields.length, equalityFields.length + Object.keys(sort).length);
  return JSON.stringify(rest) === JSON.stringify(Object.entries(sort));
}

describe('room indexes', () => {
  const indexes = roomSchema.indexes().map(([fields]) => fields as Record<string, unknown>);

  it.each([
    ['the lobby', ['visibility', 'closedAt']],
    ['the lobby of one kind', ['visibility', 'kind', 'closedAt']],
  ])('serve %s newest first, tiebreaker included', (_name, equalityFields) => {
    expect(indexes.some((index) => servesSortedQuery(index, equalityFields, NEWEST_FIRST))).toBe(true);
  });

  it('tell a sort the index cannot serve from one it can', () => {
    expect(servesSortedQuery({ visibility: 1, closedAt: 1, createdAt: -1 }, ['visibility', 'closedAt'], NEWEST_FIRST)).toBe(false);
    expect(servesSortedQuery({ closedAt: 1, visibility: 1, createdAt: -1, _id: -1 }, ['visibility', 'closedAt'], NEWEST_FIRST)).toBe(true);
  });
});
