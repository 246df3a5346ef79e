import { describe, expect, it } from 'vitest';
import { literalPattern } from './literal-pattern.js';

describe('literalPattern', () => {
  it('matches special characters literally', () => {
    for (const text of ['a.*', '(x)', '[ab]', 'c++', 'a|b', '^start$', 'back\\slash', '{2}', 'what?', 'a/b-c']) {
      const pattern = new RegExp(literalPattern(text));
      expect(pattern.test(`before ${text} after`), text).toBe(true);
    }
  });

  it('does not let a pattern match other text', () => {
    expect(new RegExp(literalPattern('a.c')).test('abc')).toBe(false);
    expect(new RegExp(literalPattern('.*')).test('anything')).toBe(false);
    expect(new RegExp(literalPattern('x|y')).test('y')).toBe(false);
  });

  it('leaves plain text unchanged', () => {
    expect(literalPattern('Friday chess')).toBe('Friday chess');
  });
});
