#!/usr/bin/env node
// Sums the vitest JSON reports under every workspace's .test-results/ into the plain totals
// line CI reads. A test file that failed to load, or a workspace with a test script but no
// report, counts as a failure, so a broken import or a misconfigured runner never looks green.
// Each failed test is named with the first line of its error: CI keeps only the tail of its
// output, and a failure that cannot be told from that tail cannot be fixed.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
const failures = [];

/** The first line of a failure message, without colour codes, short enough to read in a tail. */
function firstLine(message = '') {
  // eslint-disable-next-line no-control-regex
  const lines = String(message).replace(/\u001b\[[0-9;]*m/g, '').split('\n').map((text) => text.trim());
  const line = lines.find((text) => text !== '') ?? '(no message)';
  return line.length > 240 ? `${line.slice(0, 240)}…` : line;
}
for (const workspace of workspaces) {
  const dir = join(root, workspace, '.test-results');
  const scripts = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8')).scripts ?? {};
  const reports = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  if (scripts.test && !reports.includes('unit.json')) {
    // A workspace whose tests ran without the shared reporters (or did not run) must not vanish
    // from the totals.
    failed += 1;
    lines.push(`  ${workspace}: no unit test report (.test-results/unit.json); counted as a failure`);
  }
  if (scripts['test:networks'] && !reports.includes('networks.json')) {
    // The network tier must never vanish silently either (it needs root and namespaces).
    failed += 1;
    lines.push(`  ${workspace}: no network tier report (.test-results/networks.json); counted as a failure`);
  }
  for (const file of reports) {
    const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    // A file that failed without a failed test: it did not load, or a beforeAll threw and vitest
    // reported its tests as skipped.
    const brokenFiles = (report.testResults ?? []).filter((r) => r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'));
    for (const result of report.testResults ?? []) {
      const where = relative(root, result.name ?? '');
      if (brokenFiles.includes(result)) failures.push(`  ✗ ${where}: ${firstLine(result.message)}`);
      for (const assertion of result.assertionResults ?? []) {
        if (assertion.status !== 'failed') continue;
        failures.push(`  ✗ ${where} > ${assertion.fullName ?? assertion.title}: ${firstLine(assertion.failureMessages?.[0])}`);
      }
    }
    passed += report.numPassedTests;
    failed += report.numFailedTests + brokenFiles.length;
    skipped += report.numPendingTests + report.numTodoTests;
    lines.push(`  ${relative(root, join(dir, file))}: ${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles.length} failed`);
  }
}
console.log(lines.join('\n'));
if (failures.length > 0) console.log(['failed tests:', ...failures].join('\n'));
console.log(skipped > 0 ? `${passed} passed, ${failed} failed, ${skipped} skipped` : `${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
