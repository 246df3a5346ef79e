import { constants } from 'node:os';

type Cleanup = () => Promise<unknown>;

/**
 * What a bench run stops when it is interrupted (Ctrl-C or SIGTERM). The stack, the peers' nginx
 * and the child benches run in process groups of their own, so that each can be stopped as a
 * whole; that also means the terminal's Ctrl-C never reaches them, and without this they would
 * outlive the bench (Redis, FerretDB, coturn, nginx, every service), holding their ports.
 */
const cleanups = new Set<Cleanup>();
let installed = false;
let stopping = false;

/**
 * Registers `cleanup` to run if the process is interrupted before the returned function is
 * called (the caller calls it once it has stopped the same things itself). Cleanups run newest
 * first, one at a time; then the process exits with 128 + the signal's number, as a shell
 * expects. A second Ctrl-C while they run exits at once.
 */
export function onInterrupt(cleanup: Cleanup): () => void {
  if (!installed) {
    installed = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopEverything(signal));
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** True once a run was interrupted: its figures are partial, and nothing may write them over a committed result. */
export function wasInterrupted(): boolean {
  return stopping;
}

async function stopEverything(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  const exitCode = 128 + constants.signals[signal];
  if (stopping) {
    process.stderr.write(`${signal} again: exiting without waiting for the rest to stop\n`);
    process.exit(exitCode);
  }
  stopping = true;
  process.stderr.write(`\n${signal}: stopping everything this run started (${signal} again to exit at once)…\n`);
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch (error) {
      process.stderr.write(`  could not stop one part: ${(error as Error).message}\n`);
    }
  }
  process.stderr.write('stopped.\n');
  process.exit(exitCode);
}
