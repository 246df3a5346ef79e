import { describe, expect, it } from 'vitest';
import { MAX_INDEXED_PREFIX, nameMatchesSearch, namePrefixes, searchPrefixes, wordsOf } from './room-search.js';

describe('room name words', () => {
  it('lower-cases, drops accents and splits on anything but letters and digits', () => {
    expect(wordsOf('Café  Crème-Brûlée (Advanced) #3')).toEqual(['cafe', 'creme', 'brulee', 'advanced', '3']);
    expect(wordsOf('Łódź 東京 chess CHESS')).toEqual(['łodz', '東京', 'chess']);
    expect(wordsOf('.* [ \\')).toEqual([]);
  });

  it('indexes every prefix of every word, words cut at the limit', () => {
    expect(namePrefixes('Go go chess')).toEqual(['g', 'go', 'c', 'ch', 'che', 'ches', 'chess']);
    const long = namePrefixes('x'.repeat(50));
    expect(long).toHaveLength(MAX_INDEXED_PREFIX);
  });

  it('looks up one prefix per query word, dropping words another one starts with', () => {
    expect(searchPrefixes('Chess  ch Friday')).toEqual(['chess', 'friday']);
    expect(searchPrefixes('(Advanced)')).toEqual(['advanced']);
    expect(searchPrefixes('.*')).toEqual([]);
    expect(searchPrefixes('a b c d e f g h i j')).toHaveLength(8);
  });

  it('matches a name when every query word starts one of its words', () => {
    expect(nameMatchesSearch('Friday chess club', 'ches FRI')).toBe(true);
    expect(nameMatchesSearch('Friday chess club', 'hess')).toBe(false);
    expect(nameMatchesSearch('Friday chess club', '.*')).toBe(false);
  });
});
