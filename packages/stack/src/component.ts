import { ManagedProcess, logTail, type ExitInfo, type ManagedProcessOptions } from './process.js';
import { backoffMs, describeExitInfo, type SupervisionListener, type SupervisionPolicy } from './supervision.js';
import { waitUntil } from './wait.js';

export interface LocalComponentSpec {
  name: string;
  /** Built fresh on every start, so a restart reuses the same port and data folder. */
  processOptions: () => ManagedProcessOptions;
  /** Resolves true once the component serves requests. */
  isReady: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

/** Signals that end a process: sent through `signal()`, they are a deliberate stop. */
const STOPPING_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT']);

/**
 * One local process of the stack with start, stop, restart and signal: the launcher uses start
 * and stop, fault-injection tests use restart and signal (SIGKILL, SIGSTOP, SIGCONT).
 *
 * Once `supervise()` is called, a process that dies on its own (a crash, an OOM kill, `kill -9`
 * from a shell) is started again after a backoff, on the same port, and given up on when it
 * keeps dying. Everything done through this object is deliberate and never fought: `stop()`,
 * `restart()`, and a stopping signal sent with `signal()` leave the piece down until the next
 * `start()`, which is how fault-injection tests kill a piece and bring it back themselves.
 */
export class LocalComponent {
  readonly name: string;
  private readonly spec: LocalComponentSpec;
  private current: ManagedProcess | undefined;
  /** Whether the piece should be running: false after stop() or a deliberate stopping signal. */
  private wanted = false;
  private supervision: { policy: SupervisionPolicy; listener: SupervisionListener } | undefined;
  /** Times of failures within the policy's window, oldest first. */
  private failures: number[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  /** The supervisor's restart in progress, which start() and stop() wait for. */
  private restarting: Promise<void> | undefined;
  private gaveUp = false;
  private backWaiters: Array<() => void> = [];

  constructor(spec: LocalComponentSpec) {
    this.name = spec.name;
    this.spec = spec;
  }

  get process(): ManagedProcess | undefined {
    return this.current;
  }

  get logFile(): string {
    return this.spec.processOptions().logFile;
  }

  /** True once the supervisor stopped restarting this piece because it kept dying. */
  get givenUp(): boolean {
    return this.gaveUp;
  }

  /** Restart this piece whenever it dies on its own, under `policy`, telling `listener` what happens. */
  supervise(policy: SupervisionPolicy, listener: SupervisionListener): void {
    this.supervision = { policy, listener };
  }

  /** No more restarts (the stack is stopping, or a test wants a dead piece to stay dead). */
  unsupervise(): void {
    this.supervision = undefined;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  async start(): Promise<void> {
    // A deliberate start is a fresh start: an earlier crash loop no longer counts.
    this.wanted = true;
    this.failures = [];
    this.gaveUp = false;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.restarting;
    // A supervisor's restart that failed meanwhile may have scheduled another: this start replaces it.
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    if (this.current?.running) return;
    await this.launch();
  }

  async stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    // A restart in progress sees `wanted` is false and stops what it started.
    await this.current?.stop();
    await this.restarting;
    await this.current?.stop();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /**
   * Sends a signal to the process group. A stopping signal (SIGKILL, SIGTERM, SIGINT, SIGQUIT) is
   * a deliberate fault: the supervisor leaves the piece down until `start()`.
   */
  signal(signal: NodeJS.Signals): void {
    if (STOPPING_SIGNALS.has(signal)) {
      this.wanted = false;
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
    }
    this.current?.signal(signal);
  }

  /**
   * Resolves once the supervisor has brought the piece back and it is healthy again; fails after
   * `timeoutMs`, or at once when the piece is given up on. For tests of the supervisor itself.
   */
  async whenBack(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`${this.name}: not back within ${timeoutMs} ms`)), timeoutMs);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.backWaiters = this.backWaiters.filter((waiter) => waiter !== onBack);
        if (error) reject(error);
        else resolve();
      };
      const onBack = () => finish(this.gaveUp ? new Error(`${this.name}: given up on`) : undefined);
      this.backWaiters.push(onBack);
    });
  }

  /** Starts the process and waits until it is ready; on failure nothing of it is left running. */
  private async launch(): Promise<ManagedProcess> {
    const managed = ManagedProcess.start(this.spec.processOptions());
    this.current = managed;
    try {
      await waitUntil(this.name, this.spec.isReady, {
        timeoutMs: this.spec.readyTimeoutMs ?? 60_000,
        abortWhen: () => managed.describeExit() ?? (this.wanted ? undefined : 'stopped while starting'),
      });
    } catch (error) {
      await managed.stop();
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(message.includes(managed.logFile) ? message : `${message}; see its log at ${managed.logFile}`);
    }
    void managed.exited.then((exit) => this.onExit(managed, exit));
    return managed;
  }

  private onExit(managed: ManagedProcess, exit: ExitInfo): void {
    // Only the current process's death matters, and only when nobody asked for it.
    if (managed !== this.current || !this.wanted || !this.supervision) return;
    managed.killLeftovers();
    this.failed(describeExitInfo(exit), exit, Date.now());
  }

  /** Counts a failure, then schedules a restart or gives up. */
  private failed(reason: string, exit: ExitInfo | undefined, diedAt: number): void {
    const supervision = this.supervision;
    if (!supervision) return;
    const { policy, listener } = supervision;
    const now = Date.now();
    this.failures = [...this.failures.filter((at) => now - at < policy.windowMs), now];
    const logFile = this.logFile;
    const lines = logTail(logFile);
    if (this.failures.length >= policy.maxFailures) {
      this.gaveUp = true;
      listener({ kind: 'gave-up', component: this.name, reason, exit, logFile, logTail: lines, failures: this.failures.length, windowMs: policy.windowMs });
      for (const waiter of [...this.backWaiters]) waiter();
      return;
    }
    const delay = backoffMs(policy, this.failures.length);
    listener({
      kind: 'died',
      component: this.name,
      reason,
      exit,
      logFile,
      logTail: lines,
      failures: this.failures.length,
      maxFailures: policy.maxFailures,
      windowMs: policy.windowMs,
      restartInMs: delay,
    });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.restarting = this.restartAfterFailure(diedAt).finally(() => {
        this.restarting = undefined;
      });
    }, delay);
  }

  private async restartAfterFailure(diedAt: number): Promise<void> {
    if (!this.wanted || !this.supervision || this.current?.running) return;
    let managed: ManagedProcess;
    try {
      managed = await this.launch();
    } catch (error) {
      // Stopped meanwhile, or the restart itself failed (never ready, binary gone): one more failure.
      if (this.wanted) this.failed(`did not come back: ${error instanceof Error ? error.message : String(error)}`, undefined, diedAt);
      return;
    }
    if (!this.wanted) {
      await managed.stop();
      return;
    }
    this.supervision?.listener({ kind: 'back', component: this.name, pid: managed.pid, downForMs: Date.now() - diedAt });
    for (const waiter of [...this.backWaiters]) waiter();
  }
}
