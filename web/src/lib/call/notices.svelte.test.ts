import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Notices } from './notices.svelte.js';

describe('Notices', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows a notice until its lifetime is over', () => {
    const notices = new Notices(1_000);
    notices.push('Bob joined');
    expect(notices.list.map((n) => n.text)).toEqual(['Bob joined']);
    vi.advanceTimersByTime(999);
    expect(notices.list).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(notices.list).toEqual([]);
  });

  it('keeps only the newest four, and one can be dismissed early', () => {
    const notices = new Notices();
    for (const name of ['A', 'B', 'C', 'D', 'E']) notices.push(`${name} joined`);
    expect(notices.list.map((n) => n.text)).toEqual(['B joined', 'C joined', 'D joined', 'E joined']);
    notices.dismiss(notices.list[0]!.id);
    expect(notices.list.map((n) => n.text)).toEqual(['C joined', 'D joined', 'E joined']);
  });
});
