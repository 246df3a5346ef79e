/** TURN credentials live 10 minutes by default: keep a fresh set for peers who join later. */
const ICE_REFRESH_INTERVAL_MS = 4 * 60_000;
/**
 * A set fetched this recently is fresh enough for an ICE restart: rooms bounds how many
 * credentials a user gets, and a network change restarts every link at once.
 */
const ICE_REUSE_MS = 60_000;
/**
 * Restarts within this long of the first one that reused a set belong to one round (a network
 * change restarts every link at once). A link restarting again after that found the set did not
 * help, perhaps because its TURN server died: rooms stops handing a dead one out within 10 s,
 * so the next round asks for a new set instead of retrying the same server.
 */
const RESTART_ROUND_MS = 5_000;

/**
 * The call's STUN/TURN servers and their credentials: the set from the admission, refreshed every
 * few minutes and on demand when a link restarts ICE.
 */
export class IceCredentials {
  #servers: RTCIceServer[] = [];
  #fetchedAt = 0;
  /** When a restart round first reused the current set; null until one does. */
  #reusedAt: number | null = null;
  #refresh: Promise<RTCIceServer[]> | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  readonly #fetch: () => Promise<RTCIceServer[]>;
  readonly #now: () => number;

  /** `fetch` asks rooms for a new set (`POST /api/rooms/:id/ice`). */
  constructor(fetch: () => Promise<RTCIceServer[]>, now: () => number = Date.now) {
    this.#fetch = fetch;
    this.#now = now;
  }

  get servers(): RTCIceServer[] {
    return this.#servers;
  }

  /** A set that came with an admission; starts the periodic refresh. */
  accept(servers: RTCIceServer[]): void {
    this.#servers = servers;
    this.#fetchedAt = this.#now();
    this.#reusedAt = null;
    this.#timer ??= setInterval(() => void this.fresh(), ICE_REFRESH_INTERVAL_MS);
  }

  /**
   * A fresh set; concurrent callers (one per restarting link) share one request. When rooms
   * refuses (429 past its bounds) or cannot be reached, the last set is used: refreshed every few
   * minutes, it is usually still valid, and an ICE restart with it beats none. A young set is
   * reused for one round of restarts only (RESTART_ROUND_MS).
   */
  fresh(): Promise<RTCIceServer[]> {
    const now = this.#now();
    const sameRound = this.#reusedAt === null || now - this.#reusedAt < RESTART_ROUND_MS;
    if (now - this.#fetchedAt < ICE_REUSE_MS && sameRound) {
      this.#reusedAt ??= now;
      return Promise.resolve(this.#servers);
    }
    this.#refresh ??= this.#fetch()
      .then((servers) => {
        this.#servers = servers;
        this.#fetchedAt = this.#now();
        this.#reusedAt = null;
        return servers;
      })
      .catch(() => this.#servers)
      .finally(() => {
        this.#refresh = null;
      });
    return this.#refresh;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
