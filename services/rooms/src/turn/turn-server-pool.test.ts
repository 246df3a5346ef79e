import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseTurnServers, type HostPort } from './turn-server-list.js';
import { TurnServerPool } from './turn-server-pool.js';

/*
 * The pool's rules with a probe the test controls; the real probe (a STUN Binding request to a
 * real coturn, killed and restarted) is exercised in tests/integration (turn-servers.test.ts).
 */

const servers = parseTurnServers('turn-a.example:3478,turn-b.example:3478');
const rooms = Array.from({ length: 400 }, (_, index) => `room-${index}`);

/** A probe that answers from a set of hosts the test turns off and on, and a log that keeps every line. */
function setUp(options: { failuresBeforeDown?: number } = {}) {
  const down = new Set<string>();
  const lines: Array<{ level: number; msg: string; turnServer?: string }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const pool = new TurnServerPool({
    servers,
    probe: async ({ host }: HostPort) => !down.has(host),
    log,
    ...options,
  });
  return { pool, down, lines };
}

const roomsOn = (pool: TurnServerPool, id: string) => rooms.filter((room) => pool.serverFor(room).id === id);

describe('TurnServerPool', () => {
  it('gives every room one server, the same on every call and on every replica, and uses both', () => {
    const a = setUp().pool;
    const b = setUp().pool;
    for (const room of rooms) expect(a.serverFor(room)).toEqual(b.serverFor(room));
    expect(roomsOn(a, 'turn-a.example:3478').length).toBeGreaterThan(100);
    expect(roomsOn(a, 'turn-b.example:3478').length).toBeGreaterThan(100);
  });

  it('stops handing out a server after two failed checks in a row, and hands it out again once it answers', async () => {
    const { pool, down, lines } = setUp();
    const onB = roomsOn(pool, 'turn-b.example:3478');
    down.add('turn-b.example');
    await pool.checkAll();
    // One failure may be a lost packet: still handed out.
    expect(roomsOn(pool, 'turn-b.example:3478')).toEqual(onB);
    await pool.checkAll();
    expect(roomsOn(pool, 'turn-b.example:3478')).toEqual([]);
    expect(pool.health().map(({ server, health }) => [server.id, health])).toEqual([
      ['turn-a.example:3478', 'healthy'],
      ['turn-b.example:3478', 'failing'],
    ]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, turnServer: 'turn-b.example:3478', msg: expect.stringMatching(/no longer handed out/) }));

    down.delete('turn-b.example');
    await pool.checkAll();
    expect(roomsOn(pool, 'turn-b.example:3478')).toEqual(onB);
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, turnServer: 'turn-b.example:3478', msg: expect.stringMatching(/handed out again/) }));
  });

  it('hands out every server by room when all fail, and says so once as an error', async () => {
    const { pool, down, lines } = setUp({ failuresBeforeDown: 1 });
    const before = rooms.map((room) => pool.serverFor(room).id);
    down.add('turn-a.example').add('turn-b.example');
    await pool.checkAll();
    await pool.checkAll();
    expect(pool.health().every(({ health }) => health === 'failing')).toBe(true);
    expect(rooms.map((room) => pool.serverFor(room).id)).toEqual(before);
    expect(lines.filter((line) => line.level === 50 && /every TURN server fails/.test(line.msg))).toHaveLength(1);

    down.delete('turn-a.example');
    await pool.checkAll();
    expect(new Set(rooms.map((room) => pool.serverFor(room).id))).toEqual(new Set(['turn-a.example:3478']));
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, msg: expect.stringMatching(/answers again; only healthy/) }));
  });

  it('counts a probe that throws as a failure', async () => {
    const log = pino({ level: 'silent' });
    const pool = new TurnServerPool({ servers, probe: async () => Promise.reject(new Error('EHOSTUNREACH')), log, failuresBeforeDown: 1 });
    await pool.checkAll();
    expect(pool.health().map(({ health }) => health)).toEqual(['failing', 'failing']);
  });

  it('without a probe checks nothing and hands out every server', async () => {
    const pool = new TurnServerPool({ servers, log: pino({ level: 'silent' }) });
    pool.start();
    await pool.checkAll();
    expect(pool.health().map(({ health }) => health)).toEqual(['unchecked', 'unchecked']);
    expect(new Set(rooms.map((room) => pool.serverFor(room).id)).size).toBe(2);
    await pool.stop();
  });

  it('checks on its own every interval once started', async () => {
    const down = new Set(['turn-a.example']);
    const started = Date.now();
    // Real timers: the first round at once, then one every 50 ms.
    const fast = new TurnServerPool({ servers, probe: async ({ host }) => !down.has(host), log: pino({ level: 'silent' }), intervalMs: 50 });
    fast.start();
    while (fast.health()[0]?.health !== 'failing') {
      expect(Date.now() - started).toBeLessThan(2_000);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(new Set(rooms.map((room) => fast.serverFor(room).id))).toEqual(new Set(['turn-b.example:3478']));
    await fast.stop();
  });

  it('refuses an empty list', () => {
    expect(() => new TurnServerPool({ servers: [], log: pino({ level: 'silent' }) })).toThrow(/at least one/);
  });
});
