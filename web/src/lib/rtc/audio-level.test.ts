import { describe, expect, it } from 'vitest';
import { audioLevel, smoothLevel } from './audio-level.js';

describe('audioLevel', () => {
  it('reads silence as zero', () => {
    expect(audioLevel(new Uint8Array(256).fill(128))).toBe(0);
    expect(audioLevel(new Uint8Array(0))).toBe(0);
  });

  it('rises with loudness and is capped at one', () => {
    const quiet = Uint8Array.from({ length: 256 }, (_, i) => 128 + Math.round(4 * Math.sin(i / 4)));
    const loud = Uint8Array.from({ length: 256 }, (_, i) => 128 + Math.round(60 * Math.sin(i / 4)));
    const clipping = Uint8Array.from({ length: 256 }, (_, i) => (i % 2 === 0 ? 0 : 255));
    expect(audioLevel(quiet)).toBeGreaterThan(0);
    expect(audioLevel(loud)).toBeGreaterThan(audioLevel(quiet));
    expect(audioLevel(clipping)).toBe(1);
  });
});

describe('smoothLevel', () => {
  it('jumps up at once and falls gradually', () => {
    expect(smoothLevel(0.1, 0.8)).toBe(0.8);
    const falling = smoothLevel(0.8, 0);
    expect(falling).toBeLessThan(0.8);
    expect(falling).toBeGreaterThan(0.5);
  });
});
