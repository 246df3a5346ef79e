/**
 * Polls `check` until it returns a value (not undefined), at most `timeoutMs`; every wait in the
 * smoke test is bounded by one of these. A check that throws counts as "not yet"; the last
 * reason is in the error when time runs out.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastReason = 'never checked';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      lastReason = 'not yet';
    } catch (error) {
      lastReason = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${options.timeoutMs / 1000} s (last: ${lastReason})`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
