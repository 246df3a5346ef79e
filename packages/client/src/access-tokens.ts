import type { RefreshResponse } from '@meshcall/shared';
import { isMeshcallError } from './errors.js';

/** An access token and how long it lives, as auth hands them out on sign-in and refresh. */
export interface TokenGrant {
  /** The access token (an ES256 JWT) for `Authorization: Bearer` and the signaling handshake. */
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/** A token this close to expiry is not handed out: it could expire in flight. */
const MIN_REMAINING_MS = 10_000;

/**
 * Holds the access token in memory and refreshes it when it is about to expire, or when the
 * server calls it invalid. Concurrent callers share one refresh: refresh tokens rotate on every
 * use, and a second parallel refresh would present a used one and revoke the whole family.
 */
export class AccessTokens {
  #token: string | undefined;
  #expiresAt = 0;
  #inFlight: Promise<string> | undefined;

  /**
   * @param refresh - exchanges the refresh token for a new access token (AuthApi.refresh)
   * @param now - the clock, injectable for tests
   */
  constructor(
    private readonly refresh: () => Promise<RefreshResponse>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a new token (from sign-in, sign-up or a refresh). */
  set(grant: TokenGrant): void {
    this.#token = grant.accessToken;
    this.#expiresAt = this.now() + grant.expiresIn * 1000;
  }

  /** Forgets the token (sign-out). */
  clear(): void {
    this.#token = undefined;
    this.#expiresAt = 0;
  }

  /** A token valid for at least a few more seconds, refreshed first when needed. */
  async get(): Promise<string> {
    if (this.#token !== undefined && this.#expiresAt - this.now() > MIN_REMAINING_MS) return this.#token;
    return this.refreshNow();
  }

  /** Refreshes now (joining a refresh already under way) and returns the new token. */
  refreshNow(): Promise<string> {
    this.#inFlight ??= this.refresh()
      .then((grant) => {
        this.set(grant);
        return grant.accessToken;
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  /**
   * Runs an authenticated call; if the server answers UNAUTHORIZED (the token was revoked or
   * expired in flight), refreshes once and tries again.
   */
  async authorized<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.get();
    try {
      return await call(token);
    } catch (error) {
      if (!isMeshcallError(error, 'UNAUTHORIZED')) throw error;
      return call(await this.refreshNow());
    }
  }
}
