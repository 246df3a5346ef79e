import { acquirePidLock } from '@meshcall/stack';

/**
 * One run of the tier at a time per machine: namespaces have fixed names, and a run removes
 * whatever it finds with the prefix as a crashed run's leftovers, so a second run at the same time
 * (another engineer on the same machine) would tear the first one's networks down under it.
 */
export const RUN_LOCK = '/run/meshcall-network-tier.lock';

/** Takes the lock (a stale one, whose process is gone, is taken over) and returns its release. */
export function acquireRunLock(path = RUN_LOCK): () => void {
  return acquirePidLock(path, (holder) => new Error(`another network tier run (pid ${holder}) is in progress on this machine (${path}); wait for it to finish`));
}
