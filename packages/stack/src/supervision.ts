import type { ExitInfo } from './process.js';

/**
 * How the launcher restarts a piece that dies on its own, as compose's `restart: unless-stopped`
 * does: a pause that doubles with every failure in a row, and a limit after which the piece is
 * given up on (the rest of the stack keeps running; a crash loop would only flood the log).
 */
export interface SupervisionPolicy {
  /** Pause before the first restart; each further failure within the window doubles it. */
  initialBackoffMs: number;
  /** The pause never grows beyond this. */
  maxBackoffMs: number;
  /** Given up on at this many failures (deaths, or restarts that never became ready) ... */
  maxFailures: number;
  /** ... within this window. A piece that stayed up longer starts counting afresh. */
  windowMs: number;
}

/** 0.5 s, 1 s, 2 s, 4 s, then given up on at the fifth failure within a minute. */
export const DEFAULT_SUPERVISION: SupervisionPolicy = {
  initialBackoffMs: 500,
  maxBackoffMs: 8_000,
  maxFailures: 5,
  windowMs: 60_000,
};

/** What the supervisor tells its listener (the CLI prints each as one block). */
export type SupervisionEvent =
  | {
      kind: 'died';
      component: string;
      /** How the process ended, or why a restart did not become ready. */
      reason: string;
      exit: ExitInfo | undefined;
      logFile: string;
      /** The last lines of its log: usually the reason it died. */
      logTail: string[];
      /** Failures within the policy's window, this one included ... */
      failures: number;
      /** ... of the policy's limit within its window. */
      maxFailures: number;
      windowMs: number;
      restartInMs: number;
    }
  | { kind: 'back'; component: string; pid: number; /** From its death to healthy again. */ downForMs: number }
  | { kind: 'gave-up'; component: string; reason: string; exit: ExitInfo | undefined; logFile: string; logTail: string[]; failures: number; windowMs: number };

export type SupervisionListener = (event: SupervisionEvent) => void;

/** The pause before restart number `failures` (1 for the first failure in the window). */
export function backoffMs(policy: SupervisionPolicy, failures: number): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, failures - 1));
}

/** How a process ended, in words ("killed by SIGKILL", "exited with code 1"). */
export function describeExitInfo(exit: ExitInfo): string {
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function tail(logFile: string, lines: string[]): string {
  if (lines.length === 0) return `\n    (its log ${logFile} is empty)`;
  return `\n    last lines of ${logFile}:\n${lines.map((line) => `      | ${line}`).join('\n')}`;
}

/** One message per event, as the CLI prints it: which piece, why, and what happens next. */
export function formatSupervisionEvent(event: SupervisionEvent): string {
  switch (event.kind) {
    case 'died':
      return `! ${event.component} ${event.reason}; restarting it in ${seconds(event.restartInMs)} (failure ${event.failures} of ${event.maxFailures} allowed within ${seconds(event.windowMs)})${tail(event.logFile, event.logTail)}`;
    case 'back':
      return `✓ ${event.component} is back and healthy (pid ${event.pid}, down for ${seconds(event.downForMs)})`;
    case 'gave-up':
      return (
        `!! ${event.component} GIVEN UP ON: it failed ${event.failures} times within ${seconds(event.windowMs)} (last: ${event.reason}). ` +
        `The rest of the stack keeps running without it; fix the cause, then restart the stack.${tail(event.logFile, event.logTail)}`
      );
  }
}
