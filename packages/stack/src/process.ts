import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

export interface ManagedProcessOptions {
  /** Short name used in messages ("redis", "signaling-2"). */
  name: string;
  /** A binary on PATH or an absolute path. */
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here; messages point to it when the process fails. */
  logFile: string;
  /** Signal for a graceful stop (nginx wants SIGQUIT for a graceful one). */
  stopSignal?: NodeJS.Signals;
  /** After this, a process that ignored the stop signal is killed. */
  stopTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Finds a binary on PATH, or returns undefined; used to fail early with a helpful message. */
export function findBinary(command: string): string | undefined {
  const candidates = command.includes('/') ? [command] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/**
 * A child process the launcher owns: started in its own process group so that stopping it also
 * stops anything it forked (nginx workers), with output in a log file, and a stop that escalates
 * from the graceful signal to SIGKILL so nothing is left behind.
 */
export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private readonly stopSignal: NodeJS.Signals;
  private readonly stopTimeoutMs: number;
  private exitInfo: ExitInfo | undefined;

  private constructor(options: ManagedProcessOptions, child: ChildProcess) {
    this.name = options.name;
    this.logFile = options.logFile;
    this.child = child;
    this.stopSignal = options.stopSignal ?? 'SIGTERM';
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  static start(options: ManagedProcessOptions): ManagedProcess {
    if (!findBinary(options.command)) {
      throw new Error(`${options.name}: '${options.command}' was not found on PATH; run \`npm run setup\` to install the system dependencies`);
    }
    mkdirSync(dirname(options.logFile), { recursive: true });
    const logFd = openSync(options.logFile, 'a');
    try {
      const child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', logFd, logFd],
        detached: true,
      });
      return new ManagedProcess(options, child);
    } finally {
      closeSync(logFd);
    }
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name}: has no pid (it failed to spawn)`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** A sentence for error messages when the process ended on its own. */
  describeExit(): string | undefined {
    if (!this.exitInfo) return undefined;
    const how = this.exitInfo.signal ? `was killed by ${this.exitInfo.signal}` : `exited with code ${this.exitInfo.code}`;
    return `${this.name} ${how}; see its log at ${this.logFile}`;
  }

  /**
   * Kills whatever is left of the process group once the leader died on its own: nginx workers
   * outlive a SIGKILLed master and keep its port, so a restart could not bind it.
   */
  killLeftovers(): void {
    if (!this.running) this.signalGroup('SIGKILL');
  }

  /** Sends a signal to the whole process group (fault injection uses SIGKILL, SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.signalGroup(signal);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** Graceful stop, then SIGKILL for the group if it does not exit in time. Resolves when gone. */
  async stop(): Promise<ExitInfo> {
    if (!this.running) return this.exitInfo as ExitInfo;
    // A frozen (SIGSTOP) process cannot act on SIGTERM until it is continued.
    this.signal('SIGCONT');
    this.signal(this.stopSignal);
    const timer = setTimeout(() => this.signal('SIGKILL'), this.stopTimeoutMs);
    try {
      const info = await this.exited;
      // The leader is gone; make sure no forked worker of its group outlives it.
      this.signalGroup('SIGKILL');
      return info;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The last `lines` non-empty lines of a log file (read from its last 16 KiB only, since logs
 * grow without bound), for messages about a process that died; empty when there is no log.
 */
export function logTail(file: string, lines = 10): string[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 16 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    // A cut through the first line would show half a line: drop it unless the whole file fit.
    const whole = length === size ? text : text.slice(text.indexOf('\n') + 1);
    return whole.split('\n').filter((line) => line.trim() !== '').slice(-lines);
  } finally {
    closeSync(fd);
  }
}
