import type { Clock } from '../auth/token-keeper.js';

/** A clock whose timers fire only when a test advances time, so schedules are tested without waiting. */
export class ManualClock implements Clock {
  current = 1_000_000;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #nextId = 1;

  now = (): number => this.current;

  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.current + ms, callback });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.#timers.delete(handle as number);
  };

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward, firing due timers in order and letting promise callbacks run after each. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.current = due[1].at;
      due[1].callback();
      await flushPromises();
    }
    this.current = end;
    await flushPromises();
  }
}

export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}
