import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquirePidLock } from './pid-lock.js';

const refuse = (pid: number) => new Error(`held by ${pid}`);

describe('acquirePidLock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshcall-pid-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second taker while it is held, and frees the file on release', () => {
    const file = join(dir, 'held.pid');
    const release = acquirePidLock(file, refuse);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
    expect(() => acquirePidLock(file, refuse)).toThrow(`held by ${process.pid}`);
    release();
    expect(existsSync(file)).toBe(false);
  });

  it('refuses while another live process holds it', async () => {
    const file = join(dir, 'other.pid');
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(file, `${other.pid}\n`);
      expect(() => acquirePidLock(file, refuse)).toThrow(`held by ${other.pid}`);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it("takes over a file whose process is gone (a crashed holder's), or that names this process without it holding it", () => {
    for (const stale of ['99999999', String(process.pid)]) {
      const file = join(dir, `stale-${stale}.pid`);
      // 99999999 is beyond Linux's pid_max: no process can have it.
      writeFileSync(file, `${stale}\n`);
      const release = acquirePidLock(file, refuse);
      expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
      release();
    }
  });

  it('leaves a file alone on release once someone else has taken it over', () => {
    const file = join(dir, 'taken-over.pid');
    const release = acquirePidLock(file, refuse);
    writeFileSync(file, '99999999\n');
    release();
    expect(readFileSync(file, 'utf8').trim()).toBe('99999999');
  });
});
