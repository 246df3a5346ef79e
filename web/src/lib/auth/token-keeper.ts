import { ApiError, isApiError } from '../api/api-error.js';

/** What auth hands out on sign-in and refresh. */
export interface TokenGrant {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/** Time source and timers, injected so the schedule can be tested without waiting. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** Longest margin kept before expiry; short test tokens get a proportional one instead. */
const MAX_REFRESH_MARGIN_MS = 60_000;
/** A token this close to expiry is not handed out: it could expire in flight. */
const MIN_REMAINING_FOR_USE_MS = 5_000;
const MIN_REFRESH_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * How long after receiving a token to refresh it: a minute before expiry, or a fifth of the
 * lifetime for short-lived tokens, so a refresh that needs a retry still lands in time.
 */
export function refreshDelayMs(expiresInSeconds: number): number {
  const lifetimeMs = expiresInSeconds * 1000;
  const margin = Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs * 0.2);
  return Math.max(MIN_REFRESH_DELAY_MS, Math.round(lifetimeMs - margin));
}

/** Delay before the n-th retry (1-based) of a refresh that failed for a passing reason. */
export function retryDelayMs(attempt: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.max(0, attempt - 1));
}

/** Errors that mean the refresh cookie is gone or revoked: retrying cannot help. */
function endsSession(error: unknown): boolean {
  return isApiError(error, 'UNAUTHORIZED') || isApiError(error, 'FORBIDDEN');
}

export interface TokenKeeperOptions {
  /** Exchanges the httpOnly refresh cookie for a new access token. */
  refresh: () => Promise<TokenGrant>;
  /** Each new token, for connections that must be told (the signaling socket). */
  onToken?: (token: string) => void;
  /** The refresh was refused: the user is signed out. */
  onSessionEnded?: (error: ApiError) => void;
  clock?: Clock;
}

/**
 * Keeps the access token in memory only and refreshes it silently through the cookie before it
 * expires. Concurrent callers share one refresh, because refresh tokens rotate on every use and a
 * second parallel refresh would present an already-used one and revoke the whole family.
 */
export class TokenKeeper {
  readonly #options: TokenKeeperOptions;
  readonly #clock: Clock;
  #token: string | null = null;
  #expiresAt = 0;
  #timer: unknown = null;
  #inFlight: Promise<string> | null = null;
  #failedAttempts = 0;

  constructor(options: TokenKeeperOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** The token if it is still valid, else null. Never refreshes. */
  get token(): string | null {
    return this.#token !== null && this.#clock.now() < this.#expiresAt ? this.#token : null;
  }

  /** Epoch milliseconds at which the current token expires (0 when there is none). */
  get expiresAt(): number {
    return this.#token === null ? 0 : this.#expiresAt;
  }

  /** Stores a token from sign-in or refresh and schedules its silent refresh. */
  accept(grant: TokenGrant): void {
    this.#token = grant.accessToken;
    this.#expiresAt = this.#clock.now() + grant.expiresIn * 1000;
    this.#failedAttempts = 0;
    this.#schedule(refreshDelayMs(grant.expiresIn));
    this.#options.onToken?.(grant.accessToken);
  }

  /** A token good for at least a few more seconds, refreshing first if needed. */
  async fresh(): Promise<string> {
    if (this.#token !== null && this.#clock.now() < this.#expiresAt - MIN_REMAINING_FOR_USE_MS) return this.#token;
    return this.refreshNow();
  }

  /** Refreshes now, joining a refresh already under way. */
  refreshNow(): Promise<string> {
    this.#inFlight ??= this.#options
      .refresh()
      .then((grant) => {
        this.accept(grant);
        return grant.accessToken;
      })
      .catch((error: unknown) => {
        if (endsSession(error)) {
          this.clear();
          this.#options.onSessionEnded?.(error as ApiError);
        }
        throw error;
      })
      .finally(() => {
        this.#inFlight = null;
      });
    return this.#inFlight;
  }

  /**
   * After a request was refused with 401: a token other than the refused one may already have
   * arrived (another request refreshed meanwhile); only refresh if not.
   */
  async afterRejection(refusedToken: string): Promise<string> {
    const current = this.token;
    if (current !== null && current !== refusedToken) return current;
    return this.refreshNow();
  }

  /** Forgets the token (sign-out) and stops refreshing. */
  clear(): void {
    this.#token = null;
    this.#expiresAt = 0;
    this.#failedAttempts = 0;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#scheduledRefresh();
    }, delayMs);
  }

  #scheduledRefresh(): void {
    this.refreshNow().catch((error: unknown) => {
      if (endsSession(error)) return; // refreshNow already ended the session
      // A passing failure (offline, gateway restarting): try again, but not past the point
      // where the token has expired anyway; the next request then refreshes on demand.
      this.#failedAttempts += 1;
      const delay = retryDelayMs(this.#failedAttempts);
      if (this.#token !== null && this.#clock.now() + delay < this.#expiresAt) this.#schedule(delay);
    });
  }
}

/**
 * Runs an authenticated call with a fresh token; when the server still answers 401 (the token was
 * revoked or the clocks disagree) refreshes once and retries once.
 */
export async function withAuthRetry<T>(keeper: TokenKeeper, call: (token: string) => Promise<T>): Promise<T> {
  const token = await keeper.fresh();
  try {
    return await call(token);
  } catch (error) {
    if (!isApiError(error, 'UNAUTHORIZED')) throw error;
    const next = await keeper.afterRejection(token);
    return call(next);
  }
}
