import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireRunLock } from './run-lock.js';

describe('acquireRunLock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshcall-networks-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses while a live process holds it, and frees it on release', () => {
    const path = join(dir, 'live.lock');
    const release = acquireRunLock(path);
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid));
    expect(() => acquireRunLock(path)).toThrow(/another network tier run \(pid \d+\) is in progress/);
    release();
    expect(existsSync(path)).toBe(false);
  });

  it("takes over a lock whose process is gone (a crashed run's)", () => {
    const path = join(dir, 'stale.lock');
    // Beyond pid_max (4194304 at most on Linux): no process can have it.
    writeFileSync(path, '99999999\n');
    const release = acquireRunLock(path);
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid));
    release();
  });
});
