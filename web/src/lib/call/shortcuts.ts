/** What a keyboard shortcut of the call does. */
export type ShortcutAction = 'mic' | 'camera' | 'chat' | 'leave' | 'help';

export interface Shortcut {
  action: ShortcutAction;
  /** As the help dialog shows it. */
  keys: string;
  description: string;
}

/**
 * Single keys, as in most call apps' web clients; leaving takes Shift so a stray L does not end a
 * call. None fires while typing in a field, nor with Ctrl, Alt or ⌘ (the browser's own shortcuts).
 */
export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'mic', keys: 'M', description: 'Mute or unmute your microphone' },
  { action: 'camera', keys: 'V', description: 'Turn your camera off or on' },
  { action: 'chat', keys: 'C', description: 'Open or close the chat' },
  { action: 'leave', keys: 'Shift + L', description: 'Leave the call' },
  { action: 'help', keys: '?', description: 'Show these shortcuts' },
];

export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  /** The key went to a text field (input, textarea, select, contenteditable): it is typing. */
  typing: boolean;
}

export function shortcutFor(press: KeyPress): ShortcutAction | null {
  if (press.typing || press.ctrlKey || press.altKey || press.metaKey) return null;
  if (press.key === '?') return 'help';
  const key = press.key.toLowerCase();
  if (press.shiftKey) return key === 'l' ? 'leave' : null;
  if (key === 'm') return 'mic';
  if (key === 'v') return 'camera';
  if (key === 'c') return 'chat';
  return null;
}

/** Whether a key event's target is a place where keys type text. */
export function isTextEntry(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
}
