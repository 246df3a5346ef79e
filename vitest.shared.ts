/**
 * Reporters every workspace's vitest config uses: the usual console output, plus a JSON report
 * per test tier under `.test-results/` that `.ci/run` sums into its "N passed, N failed" line.
 */
export function reporters(tier: string): Array<string | [string, Record<string, unknown>]> {
  return ['default', ['json', { outputFile: `.test-results/${tier}.json` }]];
}
