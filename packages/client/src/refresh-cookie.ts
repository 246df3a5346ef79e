import { REFRESH_COOKIE_NAME } from '@meshcall/shared';

/**
 * Where the rotating refresh token lives between requests. In a browser it is an httpOnly cookie
 * the page never sees (`browserRefreshCookie`); outside one, RefreshCookieJar keeps it in memory
 * and sends it back as the browser would.
 */
export interface RefreshTokenStore {
  /** Headers that present the current refresh token to `/api/auth/*`. */
  requestHeaders(): Record<string, string>;
  /** Takes the rotated token from a response's Set-Cookie (auth rotates it on every use). */
  remember(headers: Headers): void;
  /** The current refresh token, when this store can see it (never in a browser). */
  readonly current: string | undefined;
}

/** The browser's cookie store does the work: nothing to send or keep. */
export const browserRefreshCookie: RefreshTokenStore = {
  requestHeaders: () => ({}),
  remember: () => undefined,
  current: undefined,
};

/**
 * Keeps auth's refresh cookie outside a browser (Node, tests, the bench). Auth rotates it on
 * every refresh and revokes the whole family when an old one comes back, so only the latest is
 * kept and sent.
 */
export class RefreshCookieJar implements RefreshTokenStore {
  #token: string | undefined;

  /** @param token - a refresh token obtained elsewhere, to start from */
  constructor(token?: string) {
    this.#token = token;
  }

  /** The current refresh token, or undefined before sign-in and after sign-out. */
  get current(): string | undefined {
    return this.#token;
  }

  /** The Cookie header auth expects, when there is a token. */
  requestHeaders(): Record<string, string> {
    return this.#token === undefined ? {} : { cookie: `${REFRESH_COOKIE_NAME}=${this.#token}` };
  }

  /** Takes the refresh cookie from Set-Cookie; an emptied one (sign-out) forgets the token. */
  remember(headers: Headers): void {
    const value = cookieValue(headers, REFRESH_COOKIE_NAME);
    if (value === undefined) return;
    this.#token = value === '' ? undefined : value;
  }
}

/** The value a response sets for a cookie, '' when it clears it, undefined when it does not set it. */
export function cookieValue(headers: Headers, name: string): string | undefined {
  for (const header of headers.getSetCookie()) {
    const [pair] = header.split(';');
    const separator = pair?.indexOf('=') ?? -1;
    if (!pair || separator < 0) continue;
    if (pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
  }
  return undefined;
}
