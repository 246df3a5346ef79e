import { ManagedProcess, type ManagedProcessOptions } from './process.js';
import { waitUntil } from './wait.js';

export interface LocalComponentSpec {
  name: string;
  /** Built fresh on every start, so a restart reuses the same port and data folder. */
  processOptions: () => ManagedProcessOptions;
  /** Resolves true once the component serves requests. */
  isReady: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

/**
 * One local process of the stack with start, stop, restart and signal: the launcher uses start
 * and stop, fault-injection tests use restart and signal (SIGKILL, SIGSTOP, SIGCONT).
 */
export class LocalComponent {
  readonly name: string;
  private readonly spec: LocalComponentSpec;
  private current: ManagedProcess | undefined;

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

  async start(): Promise<void> {
    if (this.current?.running) return;
    const managed = ManagedProcess.start(this.spec.processOptions());
    this.current = managed;
    try {
      await waitUntil(this.name, this.spec.isReady, {
        timeoutMs: this.spec.readyTimeoutMs ?? 60_000,
        abortWhen: () => managed.describeExit(),
      });
    } catch (error) {
      await managed.stop();
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(message.includes(managed.logFile) ? message : `${message}; see its log at ${managed.logFile}`);
    }
  }

  async stop(): Promise<void> {
    await this.current?.stop();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  signal(signal: NodeJS.Signals): void {
    this.current?.signal(signal);
  }
}
