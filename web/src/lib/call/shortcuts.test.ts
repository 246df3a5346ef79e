import { describe, expect, it } from 'vitest';
import { SHORTCUTS, shortcutFor, type KeyPress } from './shortcuts.js';

const press = (key: string, extra: Partial<KeyPress> = {}): KeyPress => ({ key, shiftKey: false, ctrlKey: false, altKey: false, metaKey: false, typing: false, ...extra });

describe('shortcutFor', () => {
  it('maps the listed keys, either case', () => {
    expect(shortcutFor(press('m'))).toBe('mic');
    expect(shortcutFor(press('V'))).toBe('camera');
    expect(shortcutFor(press('c'))).toBe('chat');
    expect(shortcutFor(press('L', { shiftKey: true }))).toBe('leave');
    expect(shortcutFor(press('?', { shiftKey: true }))).toBe('help');
  });

  it('does nothing while typing, with the browser’s modifiers, or for a plain L', () => {
    expect(shortcutFor(press('m', { typing: true }))).toBeNull();
    expect(shortcutFor(press('?', { typing: true }))).toBeNull();
    expect(shortcutFor(press('c', { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(press('v', { metaKey: true }))).toBeNull();
    expect(shortcutFor(press('m', { altKey: true }))).toBeNull();
    expect(shortcutFor(press('l'))).toBeNull();
    expect(shortcutFor(press('M', { shiftKey: true }))).toBeNull();
  });

  it('lists every action once in the help', () => {
    expect(SHORTCUTS.map((s) => s.action).sort()).toEqual(['camera', 'chat', 'help', 'leave', 'mic']);
  });
});
