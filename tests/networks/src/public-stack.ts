import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PUBLIC_ADDRESS, PUBLIC_NAMESPACE } from './topology.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The coturn overlay that allows exactly this tier's addresses as peers. */
export const PEER_OVERLAY = join(here, '..', 'coturn', 'network-test-peers.conf');

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

export interface PublicStack {
  turnPort: number;
  logDir: string;
  /** What the child wrote to stderr, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the stack inside the public namespace and resolves once it is up (bounded). */
export async function startPublicStack(options: { dataDir: string; certDir: string }): Promise<PublicStack> {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const child: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      PUBLIC_NAMESPACE,
      process.execPath,
      '--import',
      tsx,
      join(here, 'public-stack-main.ts'),
      JSON.stringify({ dataDir: options.dataDir, certDir: options.certDir, address: PUBLIC_ADDRESS, peerOverlay: PEER_OVERLAY }),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  const ready = await new Promise<{ turnPort: number; logDir: string }>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the stack in ${PUBLIC_NAMESPACE} was not up after ${START_TIMEOUT_MS} ms:\n${stderr}`)), START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { turnPort: number; logDir: string });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the stack in ${PUBLIC_NAMESPACE} exited (${code ?? signal}) before it was up:\n${stderr}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { ...ready, output: () => stderr, stop };
}
