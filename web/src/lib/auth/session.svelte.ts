import { defaultMessageOf, type LoginBody, type PublicUser, type RegisterBody, type SessionResponse } from '@meshcall/shared';
import { isApiError, type ApiError } from '../api/api-error.js';
import { authClient } from '../api/auth-client.js';
import { messageFor } from '../api/error-messages.js';
import { createRoomsClient } from '../api/rooms-client.js';
import { oneTabAtATime } from './one-tab-at-a-time.js';
import { rememberSignedIn } from './returning-visitor.js';
import { TokenKeeper, withAuthRetry } from './token-keeper.js';

export type SessionStatus = 'loading' | 'signed-in' | 'signed-out' | 'unreachable';

/**
 * Every tab refreshes through the same cookie, and each refresh rotates it: two tabs refreshing at
 * once (opened together, or their schedules meeting) would present the same token twice, which
 * auth takes for theft and answers by revoking the whole session. Tabs take turns instead; the
 * second then refreshes with the cookie the first just received.
 */
const REFRESH_LOCK = 'meshcall:refresh';

/** Codes that mean "the server is not there", as opposed to "you are not signed in". */
function isUnreachable(error: unknown): boolean {
  return ['NETWORK', 'BAD_GATEWAY', 'UNAVAILABLE', 'GATEWAY_TIMEOUT', 'INTERNAL'].some((code) => isApiError(error, code as ApiError['code']));
}

/**
 * Who is signed in. The access token lives only in this object's memory (never in storage);
 * a reload gets a new one through the httpOnly refresh cookie.
 */
export class SessionManager {
  status = $state<SessionStatus>('loading');
  user = $state<PublicUser | null>(null);
  /** Why the user was signed out without asking, for the sign-in page. */
  endedReason = $state<string | null>(null);

  readonly #tokenListeners = new Set<(token: string) => void>();
  readonly #keeper = new TokenKeeper({
    refresh: () => oneTabAtATime(REFRESH_LOCK, () => authClient.refresh()),
    onToken: (token) => {
      for (const listener of this.#tokenListeners) listener(token);
    },
    onSessionEnded: (error) => this.#sessionEnded(error),
  });
  #starting: Promise<void> | null = null;

  /** Runs an authenticated request, refreshing the token once on 401. */
  readonly authorized = <T>(call: (token: string) => Promise<T>): Promise<T> => withAuthRetry(this.#keeper, call);

  /** Restores the session from the refresh cookie; called once at start-up. */
  start(): Promise<void> {
    this.#starting ??= this.#restore();
    return this.#starting;
  }

  /** Tries again after the server was unreachable. */
  retry(): Promise<void> {
    this.#starting = this.#restore();
    return this.#starting;
  }

  async signIn(body: LoginBody): Promise<void> {
    this.#accept(await authClient.signIn(body));
  }

  async signUp(body: RegisterBody): Promise<void> {
    this.#accept(await authClient.signUp(body));
  }

  async signOut(): Promise<void> {
    try {
      await authClient.signOut();
    } catch {
      // Signing out locally matters more than the server hearing about it; the cookie expires anyway.
    }
    this.#signedOut();
  }

  /**
   * Signs the user out on every device. Unlike signOut, a failure is thrown and this tab stays
   * signed in: the user must learn that the other devices may still be signed in.
   */
  async signOutEverywhere(): Promise<void> {
    await this.authorized((token) => authClient.signOutEverywhere(token));
    this.#signedOut();
  }

  #signedOut(): void {
    this.#keeper.clear();
    this.user = null;
    this.endedReason = null;
    this.status = 'signed-out';
  }

  /** A token valid for a few more seconds (refreshed first if needed), for socket handshakes. */
  freshToken(): Promise<string> {
    return this.#keeper.fresh();
  }

  /**
   * A token that stays valid past `epochMs` (the server warned the current one expires then),
   * refreshing unless the keeper already holds a newer one.
   */
  async tokenOutliving(epochMs: number): Promise<string> {
    const token = this.#keeper.token;
    if (token !== null && this.#keeper.expiresAt > epochMs) return token;
    return this.#keeper.refreshNow();
  }

  /** Called with every new access token; returns the unsubscribe function. */
  onToken(listener: (token: string) => void): () => void {
    this.#tokenListeners.add(listener);
    return () => this.#tokenListeners.delete(listener);
  }

  async #restore(): Promise<void> {
    this.status = 'loading';
    try {
      const token = await this.#keeper.refreshNow();
      const { user } = await authClient.me(token);
      this.user = user;
      this.status = 'signed-in';
    } catch (error) {
      this.user = null;
      this.status = isUnreachable(error) ? 'unreachable' : 'signed-out';
      // Not having a session on first visit is normal, not something to explain.
      this.endedReason = null;
    }
  }

  #accept(response: SessionResponse): void {
    this.#keeper.accept(response);
    this.user = response.user;
    this.endedReason = null;
    this.status = 'signed-in';
    rememberSignedIn(globalThis.localStorage);
  }

  #sessionEnded(error: ApiError): void {
    if (this.status !== 'signed-in') return;
    this.user = null;
    // Keep a specific server explanation (a revoked session says why); the generic one reads worse than ours.
    const specific = error.code === 'UNAUTHORIZED' && error.message !== defaultMessageOf.UNAUTHORIZED;
    this.endedReason = specific ? error.message : messageFor('UNAUTHORIZED');
    this.status = 'signed-out';
  }
}

export const session = new SessionManager();
export const roomsClient = createRoomsClient(session.authorized);
