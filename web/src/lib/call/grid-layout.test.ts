import { describe, expect, it } from 'vitest';
import { gridColumns } from './grid-layout.js';

describe('gridColumns', () => {
  it('fills a landscape screen side by side', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => gridColumns(n, 1280, 720))).toEqual([1, 2, 2, 2, 3, 3, 4, 4, 4]);
  });

  it('stacks tiles on a phone held upright', () => {
    expect([1, 2, 3, 4, 8].map((n) => gridColumns(n, 390, 700))).toEqual([1, 1, 1, 2, 2]);
  });

  it('treats an empty stage as one tile', () => {
    expect(gridColumns(0, 1000, 500)).toBe(1);
  });
});
