import { systemClock, type Clock } from '../auth/token-keeper.js';

export interface IceRecoveryOptions {
  /** Fetches fresh TURN credentials and calls `restartIce()`; may fail (offline). */
  restart: () => Promise<void>;
  /** Called once the attempts are used up and the path is still broken. */
  onGiveUp?: () => void;
  clock?: Clock;
  maxAttempts?: number;
  /** How long `disconnected` may last before it is treated as broken (it often heals by itself). */
  disconnectedGraceMs?: number;
  /** How long a restart may take to connect before the next one. */
  restartTimeoutMs?: number;
  /** How long a new connection may take to connect at all before it is restarted. */
  connectTimeoutMs?: number;
}

/** `connecting` until the first connection; `waiting` while a disconnected path may heal by itself. */
export type IceRecoveryStatus = 'connecting' | 'healthy' | 'waiting' | 'restarting' | 'gave-up';

/**
 * Decides when a peer connection's ICE needs a restart: at once on `failed`, after a grace period
 * on `disconnected`, when a new connection never gets going, and again if a restart does not
 * connect in time, with a bounded number of attempts that resets whenever the path works again.
 */
export class IceRecovery {
  readonly #options: Required<Omit<IceRecoveryOptions, 'onGiveUp'>> & Pick<IceRecoveryOptions, 'onGiveUp'>;
  #attempts = 0;
  #timer: unknown = null;
  #status: IceRecoveryStatus = 'connecting';
  #stopped = false;

  constructor(options: IceRecoveryOptions) {
    this.#options = {
      clock: systemClock,
      maxAttempts: 3,
      disconnectedGraceMs: 4_000,
      restartTimeoutMs: 15_000,
      connectTimeoutMs: 20_000,
      ...options,
    };
    // A connection that never reaches `connected` (a lost offer, a transport that never gathered)
    // would otherwise wait forever: no `failed` comes from a connection that never started.
    this.#status = 'connecting';
    this.#setTimer(this.#options.connectTimeoutMs, () => this.#restart());
  }

  get status(): IceRecoveryStatus {
    return this.#status;
  }

  get attempts(): number {
    return this.#attempts;
  }

  /** Feed every `iceconnectionstatechange`. */
  onIceStateChange(state: RTCIceConnectionState): void {
    if (this.#stopped) return;
    switch (state) {
      case 'connected':
      case 'completed':
        this.#cancelTimer();
        this.#attempts = 0;
        this.#status = 'healthy';
        break;
      case 'disconnected':
        if (this.#status === 'healthy') {
          this.#status = 'waiting';
          this.#setTimer(this.#options.disconnectedGraceMs, () => this.#restart());
        }
        break;
      case 'failed':
        this.#restart();
        break;
      case 'closed':
        this.stop();
        break;
      default:
        break;
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#cancelTimer();
  }

  #restart(): void {
    this.#cancelTimer();
    if (this.#stopped || this.#status === 'gave-up') return;
    if (this.#attempts >= this.#options.maxAttempts) {
      this.#status = 'gave-up';
      this.#options.onGiveUp?.();
      return;
    }
    this.#attempts += 1;
    this.#status = 'restarting';
    // If the restart neither connects nor fails in time, try the next attempt.
    this.#setTimer(this.#options.restartTimeoutMs, () => this.#restart());
    this.#options.restart().catch(() => {
      // Fetching credentials failed (offline): the timeout above schedules the next attempt.
    });
  }

  #setTimer(ms: number, callback: () => void): void {
    this.#cancelTimer();
    this.#timer = this.#options.clock.setTimeout(() => {
      this.#timer = null;
      callback();
    }, ms);
  }

  #cancelTimer(): void {
    if (this.#timer !== null) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
