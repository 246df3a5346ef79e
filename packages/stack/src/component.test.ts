import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LocalComponent } from './component.js';
import { findFreePort } from './ports.js';
import { formatSupervisionEvent, type SupervisionEvent, type SupervisionPolicy } from './supervision.js';
import { httpOk } from './wait.js';

const dir = mkdtempSync(join(tmpdir(), 'meshcall-supervision-'));
/**
 * A tiny HTTP server as the supervised process: it says where it serves (so the log tail has
 * something to show), and refuses to start while its marker file exists (a piece that crashes
 * on every restart).
 */
const server = join(dir, 'server.cjs');
writeFileSync(
  server,
  `const [port, marker] = process.argv.slice(2);
if (marker && require('node:fs').existsSync(marker)) {
  console.error('refusing to start: ' + marker + ' exists');
  process.exit(3);
}
console.log('serving on ' + port + ' as pid ' + process.pid);
require('node:http').createServer((req, res) => res.end('ok')).listen(Number(port), '127.0.0.1');
`,
);

/** Short pauses so the tests run in seconds; the shape (doubling, cap, limit) is the default's. */
const FAST: SupervisionPolicy = { initialBackoffMs: 50, maxBackoffMs: 200, maxFailures: 3, windowMs: 60_000 };

const started: LocalComponent[] = [];
afterEach(async () => {
  for (const component of started.splice(0)) await component.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Piece {
  component: LocalComponent;
  url: string;
  events: SupervisionEvent[];
}

async function supervisedPiece(name: string, policy: SupervisionPolicy, marker = ''): Promise<Piece> {
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}/`;
  const component = new LocalComponent({
    name,
    processOptions: () => ({ name, command: process.execPath, args: [server, String(port), marker], logFile: join(dir, `${name}.log`) }),
    isReady: () => httpOk(url),
    readyTimeoutMs: 10_000,
  });
  const events: SupervisionEvent[] = [];
  component.supervise(policy, (event) => events.push(event));
  started.push(component);
  await component.start();
  return { component, url, events };
}

function pidOf(component: LocalComponent): number {
  const running = component.process;
  if (!running?.running) throw new Error(`${component.name} is not running`);
  return running.pid;
}

/** Polls until an event matches; bounded. */
async function eventMatching(events: SupervisionEvent[], match: (event: SupervisionEvent) => boolean, timeoutMs = 20_000): Promise<SupervisionEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; saw ${JSON.stringify(events.map((e) => e.kind))}`);
    await sleep(25);
  }
}

describe('LocalComponent supervision', () => {
  it('restarts a piece killed from outside on the same port and says why it died and when it is back', async () => {
    const piece = await supervisedPiece('echo', FAST);
    const firstPid = pidOf(piece.component);
    process.kill(firstPid, 'SIGKILL');
    await piece.component.whenBack(15_000);

    expect(pidOf(piece.component)).not.toBe(firstPid);
    expect(await httpOk(piece.url)).toBe(true);
    expect(piece.events.map((event) => event.kind)).toEqual(['died', 'back']);
    const died = piece.events[0] as Extract<SupervisionEvent, { kind: 'died' }>;
    expect(died).toMatchObject({ component: 'echo', reason: 'killed by SIGKILL', exit: { code: null, signal: 'SIGKILL' }, failures: 1, restartInMs: 50 });
    expect(died.logTail.at(-1)).toBe(`serving on ${new URL(piece.url).port} as pid ${firstPid}`);
    const message = formatSupervisionEvent(died);
    expect(message).toContain('echo killed by SIGKILL; restarting it in 0.1 s');
    expect(message).toContain(`| serving on ${new URL(piece.url).port}`);
    expect(formatSupervisionEvent(piece.events[1] as SupervisionEvent)).toMatch(/^✓ echo is back and healthy \(pid \d+, down for \d+\.\d s\)$/);

    // Supervised again after the restart: a second death is the second failure, with twice the pause.
    const secondPid = pidOf(piece.component);
    process.kill(secondPid, 'SIGKILL');
    await piece.component.whenBack(15_000);
    expect(piece.events.map((event) => event.kind)).toEqual(['died', 'back', 'died', 'back']);
    expect(piece.events[2]).toMatchObject({ failures: 2, restartInMs: 100 });
    expect(await httpOk(piece.url)).toBe(true);
  });

  it('gives up on a piece that keeps dying, loudly, and leaves the other pieces alone', async () => {
    const marker = join(dir, 'crash-on-start');
    rmSync(marker, { force: true });
    const flaky = await supervisedPiece('flaky', FAST, marker);
    const steady = await supervisedPiece('steady', FAST);
    const steadyPid = pidOf(steady.component);

    writeFileSync(marker, 'x');
    process.kill(pidOf(flaky.component), 'SIGKILL');
    const gaveUp = await eventMatching(flaky.events, (event) => event.kind === 'gave-up');

    expect(flaky.events.map((event) => event.kind)).toEqual(['died', 'died', 'gave-up']);
    expect(flaky.events[0]).toMatchObject({ reason: 'killed by SIGKILL', restartInMs: 50 });
    expect(flaky.events[1]).toMatchObject({ failures: 2, restartInMs: 100 });
    expect((flaky.events[1] as { reason: string }).reason).toMatch(/^did not come back: flaky: flaky exited with code 3/);
    expect(gaveUp).toMatchObject({ component: 'flaky', failures: 3, windowMs: 60_000 });
    expect((gaveUp as { logTail: string[] }).logTail.at(-1)).toBe(`refusing to start: ${marker} exists`);
    expect(formatSupervisionEvent(gaveUp)).toContain('!! flaky GIVEN UP ON: it failed 3 times within 60.0 s');
    expect(flaky.component.givenUp).toBe(true);
    await expect(flaky.component.whenBack(1_000)).rejects.toThrow('not back within');

    // Once given up on, it stays down even when it could start again ...
    rmSync(marker);
    await sleep(3 * FAST.maxBackoffMs);
    expect(flaky.component.process?.running).toBe(false);
    // ... and the rest never noticed.
    expect(pidOf(steady.component)).toBe(steadyPid);
    expect(await httpOk(steady.url)).toBe(true);
    expect(steady.events).toEqual([]);

    // A deliberate start is a fresh start.
    await flaky.component.start();
    expect(flaky.component.givenUp).toBe(false);
    expect(await httpOk(flaky.url)).toBe(true);
  });

  it('does not fight deliberate faults: a stopping signal through the library leaves the piece down until start()', async () => {
    const piece = await supervisedPiece('faulted', FAST);
    const running = piece.component.process;
    piece.component.signal('SIGKILL');
    await running?.exited;
    await sleep(3 * FAST.maxBackoffMs);
    expect(piece.component.process?.running).toBe(false);
    expect(piece.events).toEqual([]);

    await piece.component.start();
    expect(await httpOk(piece.url)).toBe(true);
    // Supervised again once started deliberately.
    process.kill(pidOf(piece.component), 'SIGKILL');
    await piece.component.whenBack(15_000);
    expect(piece.events.map((event) => event.kind)).toEqual(['died', 'back']);
  });

  it('does not restart a piece stopped while its restart was pending', async () => {
    const slow: SupervisionPolicy = { ...FAST, initialBackoffMs: 1_000 };
    const piece = await supervisedPiece('stopping', slow);
    process.kill(pidOf(piece.component), 'SIGKILL');
    await eventMatching(piece.events, (event) => event.kind === 'died');
    await piece.component.stop();
    await sleep(slow.initialBackoffMs + 500);
    expect(piece.component.process?.running).toBe(false);
    expect(piece.events.map((event) => event.kind)).toEqual(['died']);
    expect(await httpOk(piece.url).catch(() => false)).toBe(false);
  });
});
