/** The part of the Web Locks API used here: `navigator.locks.request(name, callback)`. */
export interface TabLocks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The browser's Web Locks, shared by every tab of this origin; null outside secure contexts. */
function browserLocks(): TabLocks | null {
  return (globalThis.navigator as { locks?: TabLocks } | undefined)?.locks ?? null;
}

/**
 * Runs `task` while no other tab of this origin runs a task under the same name, and returns its
 * result. Without Web Locks (a page not in a secure context) the task simply runs.
 */
export function oneTabAtATime<T>(name: string, task: () => Promise<T>, locks: TabLocks | null = browserLocks()): Promise<T> {
  return locks ? locks.request(name, task) : task();
}
