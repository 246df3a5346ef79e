import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

/** Files this process holds: a file naming our pid that we did not take is an earlier process's. */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One holder at a time for `file`, across processes: created exclusively with the holder's pid,
 * so two processes racing for it cannot both win. A file left by a process that is gone (a crash,
 * a SIGKILL) is taken over; a live holder gets `refuse(pid)`. Returns the release, which removes
 * the file only while it still names this process.
 */
export function acquirePidLock(file: string, refuse: (pid: number) => Error): () => void {
  if (heldHere.has(file)) throw refuse(process.pid);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      heldHere.add(file);
      return () => {
        heldHere.delete(file);
        if (holderOf(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = holderOf(file);
      // Our own pid in a file we did not take: an earlier process that had this pid (a container's).
      if (holder !== undefined && holder !== process.pid && isAlive(holder)) throw refuse(holder);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
