import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Messages an open-loop load at `ratePerSecond` should have sent `elapsedMs` into a phase of `total`. */
export function dueByNow(ratePerSecond: number, elapsedMs: number, total: number): number {
  if (elapsedMs <= 0) return 0;
  return Math.min(total, Math.floor((ratePerSecond * elapsedMs) / 1000));
}

export interface OpenLoopResult {
  sent: number;
  elapsedMs: number;
}

/**
 * Sends at a fixed rate whatever the answers do (an open loop, so a slow server shows up as
 * latency and backlog instead of quietly lowering the rate). Bounded twice: exactly
 * rate × duration messages, and never past 1.5 × duration (+1 s) even if this process falls
 * behind. Messages go out in small batches every millisecond or so.
 */
export async function runOpenLoop(options: { ratePerSecond: number; durationMs: number; send: (index: number) => void }): Promise<OpenLoopResult> {
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const start = performance.now();
  const hardStop = start + options.durationMs * 1.5 + 1_000;
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    if (now > hardStop) break;
    const due = dueByNow(options.ratePerSecond, now - start, total);
    while (sent < due) options.send(sent++);
    await sleep(1);
  }
  return { sent, elapsedMs: performance.now() - start };
}

/** Waits until `done()` holds or `timeoutMs` passes; true if it held. */
export async function waitFor(done: () => boolean, timeoutMs: number, pollMs = 10): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(pollMs);
  }
  return true;
}
