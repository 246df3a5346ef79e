import {
  guestSessionResponseSchema,
  meResponseSchema,
  refreshResponseSchema,
  sessionResponseSchema,
  type GuestSessionBody,
  type GuestSessionResponse,
  type LoginBody,
  type MeResponse,
  type RefreshResponse,
  type RegisterBody,
  type SessionResponse,
} from '@meshcall/shared';
import type { HttpTransport } from './http.js';
import type { RefreshTokenStore } from './refresh-cookie.js';

/**
 * meshcall's auth API (`/api/auth/*` behind the gateway). Sign-up, sign-in and refresh answer
 * with an access token; the refresh token travels only as auth's httpOnly cookie, which the
 * given RefreshTokenStore carries (the browser itself, or a RefreshCookieJar outside one).
 */
export class AuthApi {
  /**
   * @param http - the transport to the gateway
   * @param refreshTokens - where the rotating refresh cookie is kept
   * @param basePath - where auth is mounted: `/api/auth` behind the gateway, `` on a replica's own port
   */
  constructor(
    private readonly http: HttpTransport,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly basePath = '/api/auth',
  ) {}

  /** Creates an account and signs it in (`POST /register`). WEAK_PASSWORD and EMAIL_TAKEN carry details. */
  async signUp(body: RegisterBody): Promise<SessionResponse> {
    return this.withRefreshCookie('/register', { method: 'POST', body, schema: sessionResponseSchema });
  }

  /** Signs in with email and password (`POST /login`); a wrong pair is INVALID_CREDENTIALS. */
  async signIn(body: LoginBody): Promise<SessionResponse> {
    return this.withRefreshCookie('/login', { method: 'POST', body, schema: sessionResponseSchema });
  }

  /**
   * Exchanges the refresh cookie for a new access token (`POST /refresh`). Auth rotates the
   * cookie on every use and revokes the whole family when a used one is replayed, so never call
   * this twice in parallel: AccessTokens does it one at a time.
   */
  async refresh(): Promise<RefreshResponse> {
    return this.withRefreshCookie('/refresh', { method: 'POST', schema: refreshResponseSchema });
  }

  /**
   * Starts a guest session for one room (`POST /guest`): a guest token (2 h, no refresh cookie)
   * that rooms accepts only for that room's preview, join and ICE servers, while its owner lets
   * guests in. Flood-limited per address at the gateway like sign-up (429 RATE_LIMITED).
   */
  async startGuest(body: GuestSessionBody): Promise<GuestSessionResponse> {
    return (await this.http.request(`${this.basePath}/guest`, { method: 'POST', body, schema: guestSessionResponseSchema })).body;
  }

  /** Signs this session out (`POST /logout`): the refresh cookie and the session's access tokens stop working. */
  async signOut(): Promise<void> {
    await this.withRefreshCookie('/logout', { method: 'POST' });
  }

  /** Ends every session of the user, on every device, their access tokens included (`POST /logout/everywhere`). */
  async signOutEverywhere(accessToken: string): Promise<void> {
    await this.http.request(`${this.basePath}/logout/everywhere`, { method: 'POST', token: accessToken });
  }

  /** The signed-in user (`GET /me`). */
  async me(accessToken: string): Promise<MeResponse> {
    return (await this.http.request(`${this.basePath}/me`, { token: accessToken, schema: meResponseSchema })).body;
  }

  private async withRefreshCookie<T>(path: string, request: Parameters<HttpTransport['request']>[1]): Promise<T> {
    const response = await this.http.request(`${this.basePath}${path}`, { ...request, headers: this.refreshTokens.requestHeaders() });
    this.refreshTokens.remember(response.headers);
    return response.body as T;
  }
}
