/**
 * `npm run render -w @meshcall/bench`: rewrites summary.md and the SVG charts from the committed
 * meshcall-bench.json without measuring anything again (after a change to the report's wording
 * or charts). The JSON itself is left as the run wrote it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCharts } from './report/charts.js';
import { renderSummary } from './report/summary.js';
import type { BenchReport } from './report/write-report.js';

const resultsDir = fileURLToPath(new URL('../results', import.meta.url));
// Numbers that were not measured were written as null; the report treats null like NaN (a gap).
const report = JSON.parse(readFileSync(join(resultsDir, 'meshcall-bench.json'), 'utf8')) as BenchReport;
const files: Array<[string, string]> = [['summary.md', renderSummary(report)], ...renderCharts(report)];
for (const [name, content] of files) writeFileSync(join(resultsDir, name), content);
process.stderr.write(`rewrote ${files.map(([name]) => name).join(', ')}\n`);
