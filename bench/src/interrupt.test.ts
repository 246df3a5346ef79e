import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const INTERRUPT_MODULE = fileURLToPath(new URL('./interrupt.ts', import.meta.url));

/**
 * A process that registers cleanups as the bench does (one of them released again, as a caller
 * that stopped its part itself), says "ready", and waits to be interrupted. Node runs the
 * TypeScript module directly (type stripping), so the test exercises the real signal handling.
 */
function interruptible(cleanupMs: number): { stdout: Promise<string>; exit: Promise<number | null>; send(signal: NodeJS.Signals): void; ready: Promise<void> } {
  const script = `
    const { onInterrupt } = await import(${JSON.stringify(INTERRUPT_MODULE)});
    const say = (line) => process.stdout.write(line + '\\n');
    onInterrupt(async () => { await new Promise((r) => setTimeout(r, ${cleanupMs})); say('stopped the stack'); });
    const release = onInterrupt(async () => say('stopped a part already stopped'));
    onInterrupt(async () => say('stopped the peers'));
    release();
    say('ready');
    setInterval(() => undefined, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('ready\n')) markReady();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { stdout: exit.then(() => out), exit, ready, send: (signal) => child.kill(signal) };
}

describe('an interrupted bench run', () => {
  it('stops what it started, newest first, skips what was released, and exits as interrupted', async () => {
    const run = interruptible(200);
    await run.ready;
    run.send('SIGTERM');
    expect(await run.exit).toBe(143);
    expect((await run.stdout).split('\n').filter(Boolean)).toEqual(['ready', 'stopped the peers', 'stopped the stack']);
  }, 20_000);

  it('exits at once on a second Ctrl-C, without waiting for a cleanup that hangs', async () => {
    const run = interruptible(60_000);
    await run.ready;
    run.send('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.send('SIGINT');
    expect(await run.exit).toBe(130);
    expect(await run.stdout).not.toContain('stopped the stack');
  }, 20_000);
});
