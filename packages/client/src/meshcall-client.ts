import type { GuestSessionBody, GuestSessionResponse, LoginBody, PublicGuest, PublicUser, RegisterBody, SessionResponse } from '@meshcall/shared';
import { AccessTokens } from './access-tokens.js';
import { AuthApi } from './auth-api.js';
import { HttpTransport, type HttpOptions } from './http.js';
import { RefreshCookieJar, browserRefreshCookie, type RefreshTokenStore } from './refresh-cookie.js';
import { RoomsApi } from './rooms-api.js';
import { SignalingConnection, type SignalingConnectionOptions } from './signaling/signaling-connection.js';

/** How a MeshcallClient reaches meshcall. */
export interface MeshcallClientOptions extends HttpOptions {
  /**
   * Where the refresh token is kept. Default: the browser's cookie store in a browser, a
   * RefreshCookieJar (memory) elsewhere.
   */
  refreshTokens?: RefreshTokenStore;
}

/** What `connect` needs beyond what the client already knows (the gateway, the tokens). */
export type ConnectOptions = Omit<SignalingConnectionOptions, 'url' | 'origin' | 'accessToken' | 'refreshedAccessToken'>;

/**
 * The one client for meshcall: auth (sign-up, sign-in, refresh with the rotating refresh token),
 * rooms (lobby, create, join tickets, TURN credentials) and signaling connections, all through
 * the gateway. It keeps the access token and refreshes it when it is about to expire, when a
 * request is refused as UNAUTHORIZED, and when signaling warns of expiry.
 *
 * @example
 * const client = new MeshcallClient({ baseUrl: 'http://127.0.0.1:8080' });
 * await client.signIn({ email, password });
 * const { ticket } = await client.rooms.join(roomId);
 * const call = await client.connect({ roomId });
 * await call.join(ticket);
 */
export class MeshcallClient {
  /** The auth API; prefer signUp/signIn/signOut here, which also keep the tokens. */
  readonly auth: AuthApi;
  /** The rooms API, authenticated with this client's access token. */
  readonly rooms: RoomsApi;
  /** The access token, refreshed on demand. */
  readonly tokens: AccessTokens;
  readonly #options: MeshcallClientOptions;
  #user: PublicUser | undefined;
  #guest: PublicGuest | undefined;

  /** @param options - the gateway's address, and how to keep the refresh token */
  constructor(options: MeshcallClientOptions = {}) {
    this.#options = options;
    const http = new HttpTransport(options);
    const refreshTokens = options.refreshTokens ?? (typeof document === 'undefined' ? new RefreshCookieJar() : browserRefreshCookie);
    this.auth = new AuthApi(http, refreshTokens);
    this.tokens = new AccessTokens(() => this.auth.refresh());
    this.rooms = new RoomsApi(http, (call) => this.tokens.authorized(call));
  }

  /** The signed-in user, once signUp or signIn succeeded. */
  get user(): PublicUser | undefined {
    return this.#user;
  }

  /** The guest, once joinAsGuest succeeded. */
  get guest(): PublicGuest | undefined {
    return this.#guest;
  }

  /**
   * Starts a guest session for one room, without an account: the guest token then serves
   * `rooms.preview`/`get`/`join`/`iceServers` of that room (with its invite code, while its owner
   * lets guests in) and `connect`. It lasts 2 hours and cannot be refreshed; anything else is
   * GUEST_NOT_ALLOWED.
   */
  async joinAsGuest(body: GuestSessionBody): Promise<GuestSessionResponse> {
    const session = await this.auth.startGuest(body);
    this.tokens.set(session);
    this.#user = undefined;
    this.#guest = session.guest;
    return session;
  }

  /** Creates an account and signs in with it. */
  async signUp(body: RegisterBody): Promise<SessionResponse> {
    return this.#started(await this.auth.signUp(body));
  }

  /** Signs in; INVALID_CREDENTIALS for a wrong email or password. */
  async signIn(body: LoginBody): Promise<SessionResponse> {
    return this.#started(await this.auth.signIn(body));
  }

  /** Signs this session out: its refresh token and access tokens stop working at every service. */
  async signOut(): Promise<void> {
    await this.auth.signOut();
    this.tokens.clear();
    this.#user = undefined;
  }

  /**
   * Opens a signaling connection as the signed-in user. Pass the room it will join as `roomId`,
   * so the gateway places it with the room's other sockets.
   */
  connect(options: ConnectOptions = {}): Promise<SignalingConnection> {
    const origin = this.#options.origin ?? this.#options.baseUrl;
    return SignalingConnection.connect({
      ...options,
      ...(this.#options.baseUrl === undefined ? {} : { url: this.#options.baseUrl }),
      ...(origin === undefined ? {} : { origin: new URL(origin).origin }),
      accessToken: () => this.tokens.get(),
      refreshedAccessToken: () => this.tokens.refreshNow(),
    });
  }

  #started(session: SessionResponse): SessionResponse {
    this.tokens.set(session);
    this.#user = session.user;
    this.#guest = undefined;
    return session;
  }
}
