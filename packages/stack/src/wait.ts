import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this many milliseconds. */
  timeoutMs: number;
  /** Pause between attempts. */
  intervalMs?: number;
  /** Stops waiting early, for example when the process being waited on exited. */
  abortWhen?: () => string | undefined;
}

/**
 * Polls `probe` until it returns true. Fails with `what` and the last probe error, so a launcher
 * message says which piece never became healthy and why.
 */
export async function waitUntil(what: string, probe: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    const aborted = options.abortWhen?.();
    if (aborted) throw new Error(`${what}: ${aborted}`);
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(options.intervalMs ?? 100);
  }
  throw new Error(`${what}: not ready after ${options.timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}`);
}

/** True when GET url answers 200 within a short time. */
export async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.body?.cancel();
  return response.status === 200;
}
