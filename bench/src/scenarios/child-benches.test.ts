import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runChildBench } from './child-benches.js';

/** Timers that keep this process alive (unreferenced ones are not listed). */
function referencedTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

describe('runChildBench', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });
  function scratch(): { dir: string; log: string } {
    const dir = mkdtempSync(join(tmpdir(), 'meshcall-child-bench-'));
    folders.push(dir);
    return { dir, log: join(dir, 'child.log') };
  }

  it('folds in a child that finished early without leaving its budget timer to hold `npm run bench` open', async () => {
    const { dir, log } = scratch();
    writeFileSync(join(dir, 'quick.json'), '{"figure":1}');
    const timersBefore = referencedTimers();
    const outcome = await runChildBench({ name: 'quick', argv: ['node', '-e', `require('fs').utimesSync(${JSON.stringify(join(dir, 'quick.json'))}, new Date(), new Date())`], budgetMs: 600_000 }, dir, dir, log);
    expect(outcome).toMatchObject({ status: 'completed', exitCode: 0, fresh: true, result: { figure: 1 } });
    // The 10-minute budget was not needed; before, its timer kept the bench running for the rest of it.
    expect(referencedTimers()).toBe(timersBefore);
  });

  it('stops a child that overruns its budget and says so', async () => {
    const { dir, log } = scratch();
    const outcome = await runChildBench({ name: 'slow', argv: ['node', '-e', 'setTimeout(() => {}, 60_000)'], budgetMs: 300 }, dir, dir, log);
    expect(outcome).toMatchObject({ status: 'out-of-time', exitCode: null, fresh: false });
    expect(outcome.note).toContain('no results of it exist');
  });
});
