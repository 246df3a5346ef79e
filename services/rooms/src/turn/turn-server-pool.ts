import type { FastifyBaseLogger } from 'fastify';
import { pickByRendezvous } from './rendezvous.js';
import type { HostPort, TurnServer } from './turn-server-list.js';

/** Asks one server whether it answers; resolves false rather than rejecting. */
export type TurnServerProbe = (address: HostPort) => Promise<boolean>;

export interface TurnServerPoolOptions {
  servers: readonly TurnServer[];
  /** Absent: health checks are off and every configured server is handed out. */
  probe?: TurnServerProbe;
  /** Between two checks of a server (2 s). */
  intervalMs?: number;
  /** Consecutive failed checks before a server stops being handed out (2: one lost UDP packet is not an outage). */
  failuresBeforeDown?: number;
  log: FastifyBaseLogger;
}

export const DEFAULT_TURN_CHECK_INTERVAL_MS = 2_000;
export const DEFAULT_TURN_FAILURES_BEFORE_DOWN = 2;

export type TurnServerHealth = 'healthy' | 'failing' | 'unchecked';

interface ServerState {
  server: TurnServer;
  /** Handed out; starts true so a restart of rooms does not wait for the first round. */
  up: boolean;
  consecutiveFailures: number;
  checked: boolean;
}

/**
 * The TURN servers rooms hands out, one per room: rendezvous hashing on the room id over the
 * servers that pass their health check, so both peers of a room (and every rooms replica) get
 * the same server and a relayed call crosses one relay. A server that fails
 * `failuresBeforeDown` checks in a row is left out until it answers again; its rooms move to
 * the others (only its rooms: the hash of the rest is unchanged) and come back with it. When
 * every server fails, all are handed out as if none did (a relay that may be down beats no
 * relay at all, and the check itself may be what is broken) and that is logged as an error.
 */
export class TurnServerPool {
  private readonly states: ServerState[];
  private readonly intervalMs: number;
  private readonly failuresBeforeDown: number;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private allDown = false;

  constructor(private readonly options: TurnServerPoolOptions) {
    if (options.servers.length === 0) throw new Error('TurnServerPool needs at least one TURN server');
    this.states = options.servers.map((server) => ({ server, up: true, consecutiveFailures: 0, checked: false }));
    this.intervalMs = options.intervalMs ?? DEFAULT_TURN_CHECK_INTERVAL_MS;
    this.failuresBeforeDown = options.failuresBeforeDown ?? DEFAULT_TURN_FAILURES_BEFORE_DOWN;
  }

  /** The server for a room: the same for every caller and every replica while health agrees. */
  serverFor(roomId: string): TurnServer {
    const live = this.states.filter((state) => state.up).map((state) => state.server);
    const candidates = live.length > 0 ? live : this.options.servers;
    // candidates is never empty: the constructor refuses an empty list.
    return pickByRendezvous(candidates, roomId) as TurnServer;
  }

  /** Each configured server and what its checks last said, in configuration order. */
  health(): Array<{ server: TurnServer; health: TurnServerHealth }> {
    return this.states.map(({ server, up, checked }) => ({
      server,
      health: !this.options.probe || !checked ? 'unchecked' : up ? 'healthy' : 'failing',
    }));
  }

  /** Checks every server now and then every `intervalMs`, until stop(). Without a probe it does nothing. */
  start(): void {
    if (!this.options.probe || this.timer) return;
    this.round = this.checkAll();
    this.timer = setInterval(() => {
      // A round never overlaps the previous one: a probe's timeout is well under the interval,
      // but a stalled event loop must not pile rounds up.
      if (this.round) return;
      this.round = this.checkAll();
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /** One round: every server probed at once, then the transitions logged. Exposed for tests. */
  async checkAll(): Promise<void> {
    const probe = this.options.probe;
    if (!probe) return;
    try {
      const results = await Promise.all(this.states.map((state) => probe(state.server.probe).catch(() => false)));
      results.forEach((ok, index) => {
        const state = this.states[index];
        if (state) this.record(state, ok);
      });
      this.reportAllDown();
    } finally {
      this.round = undefined;
    }
  }

  private record(state: ServerState, ok: boolean): void {
    state.checked = true;
    const { log } = this.options;
    const turnServer = state.server.id;
    if (ok) {
      state.consecutiveFailures = 0;
      if (!state.up) {
        state.up = true;
        log.info({ turnServer }, 'TURN server answers its health check again; handed out again');
      }
      return;
    }
    state.consecutiveFailures += 1;
    if (state.up && state.consecutiveFailures >= this.failuresBeforeDown) {
      state.up = false;
      log.warn({ turnServer, probe: state.server.probe, failures: state.consecutiveFailures }, 'TURN server fails its health check; no longer handed out');
    }
  }

  private reportAllDown(): void {
    const allDown = this.states.every((state) => !state.up);
    if (allDown === this.allDown) return;
    this.allDown = allDown;
    const { log } = this.options;
    if (allDown) {
      log.error(
        { turnServers: this.states.map((state) => state.server.id) },
        'every TURN server fails its health check; handing out all of them (by room) until one answers, so relayed calls will likely fail',
      );
    } else {
      log.info('a TURN server answers again; only healthy ones are handed out');
    }
  }
}
