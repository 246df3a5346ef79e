import { defaultMessageOf, type LoginBody, type PublicGuest, type PublicUser, type RegisterBody, type SessionResponse } from '@meshcall/shared';
import { ApiError, isApiError } from '../api/api-error.js';
import { authClient } from '../api/auth-client.js';
import { messageFor } from '../api/error-messages.js';
import { createRoomsClient } from '../api/rooms-client.js';
import { oneTabAtATime } from './one-tab-at-a-time.js';
import { rememberSignedIn } from './returning-visitor.js';
import { TokenKeeper, withAuthRetry } from './token-keeper.js';

/**
 * `guest`: someone without an account in one room, on a guest token (2 h, no refresh);
 * `guest-ended`: that session is over (they left the call, or it expired): the room page says so,
 * and nothing pretends they have an account.
 */
export type SessionStatus = 'loading' | 'signed-in' | 'signed-out' | 'guest' | 'guest-ended' | 'unreachable';

/** Guest tokens cannot be refreshed: when the keeper would, the guest session is over. */
const GUEST_SESSION_OVER = 'Your guest session has ended.';

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
  /** The guest of a guest session (status `guest`, and still set at `guest-ended`): name and room. */
  guest = $state<PublicGuest | null>(null);

  readonly #tokenListeners = new Set<(token: string) => void>();
  readonly #keeper = new TokenKeeper({
    refresh: () => {
      // A guest has no refresh cookie: refreshing would at best find an account of this browser's
      // and silently swap the guest for it. The guest session simply ends instead.
      if (this.status === 'guest') return Promise.reject(new ApiError('UNAUTHORIZED', GUEST_SESSION_OVER));
      return oneTabAtATime(REFRESH_LOCK, () => authClient.refresh());
    },
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

  /** Who is in the call: the account, or the guest. */
  get me(): { id: string; name: string } | null {
    return this.user ?? this.guest;
  }

  /**
   * Starts a guest session for one room (auth's `POST /api/auth/guest`): only when nobody is
   * signed in in this tab. The token lives in memory only, like an account's; a reload asks again.
   */
  async startGuest(roomId: string, name: string): Promise<void> {
    const { guest, ...grant } = await authClient.startGuest({ roomId, name });
    this.#keeper.accept(grant);
    this.guest = guest;
    this.user = null;
    this.endedReason = null;
    this.status = 'guest';
  }

  /** Ends a guest session (the guest left the call): the token is forgotten, the room page says it is over. */
  endGuest(): void {
    if (this.status !== 'guest') return;
    this.#keeper.clear();
    this.status = 'guest-ended';
  }

  /** Back to the invite page after a guest session ended, to join again as a guest or sign in. */
  forgetGuest(): void {
    this.#keeper.clear();
    this.guest = null;
    this.endedReason = null;
    this.status = 'signed-out';
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
    this.guest = null;
    this.endedReason = null;
    this.status = 'signed-in';
    rememberSignedIn(globalThis.localStorage);
  }

  #sessionEnded(error: ApiError): void {
    if (this.status === 'guest') {
      this.endedReason = GUEST_SESSION_OVER;
      this.status = 'guest-ended';
      return;
    }
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
