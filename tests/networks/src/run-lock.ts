import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';

/**
 * One run of the tier at a time per machine: namespaces have fixed names, and a run removes
 * whatever it finds with the prefix as a crashed run's leftovers, so a second run at the same time
 * (another engineer on the same machine) would tear the first one's networks down under it.
 */
export const RUN_LOCK = '/run/meshcall-network-tier.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock (a stale one, whose process is gone, is taken over) and returns its release. */
export function acquireRunLock(path = RUN_LOCK): () => void {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        // Only our own lock: a stale-lock takeover by someone else must not be undone.
        if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new Error(`another network tier run (pid ${holder}) is in progress on this machine (${path}); wait for it to finish`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not take ${path}`);
}
