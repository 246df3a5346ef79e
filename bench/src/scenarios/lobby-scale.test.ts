import { describe, expect, it } from 'vitest';
import { roomShape } from './lobby-scale.js';

describe('the seeded lobby (issue 15: 75 % public and open, 20 % with live seats)', () => {
  const shapes = Array.from({ length: 100_000 }, (_, index) => roomShape(index));
  const share = (predicate: (shape: ReturnType<typeof roomShape>) => boolean) => shapes.filter(predicate).length / shapes.length;

  it('has three rooms in four public and open', () => {
    expect(share((shape) => shape.visibility === 'public' && !shape.closed)).toBe(0.75);
  });

  it('has live seats in one room in five, none of them closed', () => {
    expect(share((shape) => shape.occupied)).toBe(0.2);
    expect(shapes.some((shape) => shape.occupied && shape.closed)).toBe(false);
  });

  it('keeps private rooms in the mix, so a listing that leaked them would show it', () => {
    expect(share((shape) => shape.visibility === 'private')).toBe(0.2);
  });
});
