import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsRoot = fileURLToPath(new URL('../results', import.meta.url));

/**
 * bench/results, or the folder under it that BENCH_RESULTS_DIR names (never outside it), so a
 * partial run, its child steps included, writes beside the committed full run instead of over it.
 */
export function resultsFolder(): string {
  const sub = process.env.BENCH_RESULTS_DIR?.trim();
  if (!sub) return resultsRoot;
  if (!/^[A-Za-z0-9._-]+$/.test(sub) || sub.startsWith('.')) throw new Error(`BENCH_RESULTS_DIR '${sub}' must be one folder name under bench/results`);
  return join(resultsRoot, sub);
}
