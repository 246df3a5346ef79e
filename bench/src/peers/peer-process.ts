import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readRssBytes } from '../process-memory.js';
import type { ChildMessage } from './child-harness.js';

const START_TIMEOUT_MS = 15_000;
const ANSWER_TIMEOUT_MS = 5_000;

/** A peer server (PeerJS or the naive relay) running as a child process of the bench. */
export class PeerProcess {
  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(name: string, entry: 'naive-relay-main.js' | 'peerjs-main.js'): Promise<PeerProcess> {
    const child = fork(fileURLToPath(new URL(`./${entry}`, import.meta.url)), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code} during start`)));
      child.once('message', (message: ChildMessage) => {
        clearTimeout(timer);
        if (message.type === 'ready' && message.port) resolve(message.port);
        else reject(new Error(`${name} sent ${JSON.stringify(message)} instead of ready`));
      });
    });
    return new PeerProcess(name, child, port);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid`);
    return this.child.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async memory(): Promise<{ rssBytes: number; heapUsedBytes: number }> {
    const heapUsedBytes = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not report its heap`)), ANSWER_TIMEOUT_MS);
      const listener = (message: ChildMessage) => {
        if (message.type !== 'memory') return;
        clearTimeout(timer);
        this.child.off('message', listener);
        resolve(message.heapUsedBytes ?? Number.NaN);
      };
      this.child.on('message', listener);
      this.child.send({ type: 'memory' });
    });
    return { rssBytes: readRssBytes(this.pid), heapUsedBytes };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
