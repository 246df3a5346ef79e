import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  /** The deadline: past it the wait fails with what was last seen. */
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value `accept` approves, and returns that value. A probe that
 * throws counts as "not yet". Fails after `timeoutMs` with `what` and the last value or error, so a
 * "within seconds" requirement is a bounded wait that fails when exceeded, never a measured time.
 */
export async function eventually<T>(what: string, probe: () => Promise<T>, accept: (value: T) => boolean, options: EventuallyOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'nothing yet';
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await probe();
      if (accept(value)) return value;
      last = `last value: ${JSON.stringify(value)}`;
    } catch (error) {
      last = `last error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${options.timeoutMs} ms after ${attempt} attempts (${last})`);
    await sleep(Math.min(options.intervalMs ?? 250, Math.max(0, deadline - Date.now())));
  }
}
