import { randomUUID } from 'node:crypto';
import {
  REFRESH_COOKIE_NAME,
  type CreateRoomBody,
  type JoinRoomResponse,
  type RefreshResponse,
  type Room,
  type SessionResponse,
} from '@meshcall/shared';
import { HttpClient, cookieFromResponse, type HttpResponse, type RequestOptions } from './http-client.js';

/** A signed-up user: credentials, the current access token and refresh cookie. */
export interface TestUser {
  id: string;
  name: string;
  email: string;
  password: string;
  accessToken: string;
  /** The latest refresh token the auth service set as its cookie. */
  refreshToken: string | undefined;
}

/** The auth API at `base`: the gateway's `/api/auth` or one replica's root. */
export class AuthApi {
  constructor(
    readonly base: string,
    private readonly http: HttpClient,
  ) {}

  register(body: { name: string; email: string; password: string }, options: RequestOptions = {}): Promise<HttpResponse<SessionResponse>> {
    return this.http.request('POST', `${this.base}/register`, { ...options, body });
  }

  login(body: { email: string; password: string }, options: RequestOptions = {}): Promise<HttpResponse<SessionResponse>> {
    return this.http.request('POST', `${this.base}/login`, { ...options, body });
  }

  refresh(refreshToken: string | undefined, options: RequestOptions = {}): Promise<HttpResponse<RefreshResponse>> {
    return this.http.request('POST', `${this.base}/refresh`, { ...options, headers: cookieHeader(refreshToken) });
  }

  logout(refreshToken: string | undefined): Promise<HttpResponse> {
    return this.http.request('POST', `${this.base}/logout`, { headers: cookieHeader(refreshToken) });
  }

  me(token: string, options: RequestOptions = {}): Promise<HttpResponse<{ user: TestUser }>> {
    return this.http.request('GET', `${this.base}/me`, { ...options, token });
  }

  /** Signs a new user up and fails loudly if that does not work: setup, not the thing tested. */
  async signUp(label = 'user'): Promise<TestUser> {
    const email = `${label.replace(/[^A-Za-z0-9]+/g, '-')}-${randomUUID()}@example.com`.toLowerCase();
    const password = `pw-${randomUUID()}`;
    const name = label.slice(0, 60);
    const response = await this.register({ name, email, password });
    if (response.status !== 201) throw new Error(`sign-up of ${email} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return {
      id: response.body.user.id,
      name,
      email,
      password,
      accessToken: response.body.accessToken,
      refreshToken: cookieFromResponse(response.headers, REFRESH_COOKIE_NAME),
    };
  }
}

function cookieHeader(refreshToken: string | undefined): Record<string, string> {
  return refreshToken === undefined ? {} : { cookie: `${REFRESH_COOKIE_NAME}=${refreshToken}` };
}

/** The rooms API at `base`: the gateway's `/api/rooms` or the service's root. */
export class RoomsApi {
  constructor(
    readonly base: string,
    private readonly http: HttpClient,
  ) {}

  create(token: string, body: CreateRoomBody): Promise<HttpResponse<{ room: Room }>> {
    return this.http.request('POST', this.base, { token, body });
  }

  get(token: string, roomId: string, invite?: string): Promise<HttpResponse<{ room: Room }>> {
    const query = invite ? `?invite=${encodeURIComponent(invite)}` : '';
    return this.http.request('GET', `${this.base}/${roomId}${query}`, { token });
  }

  mine(token: string): Promise<HttpResponse<{ items: Room[] }>> {
    return this.http.request('GET', `${this.base}/mine`, { token });
  }

  join(token: string, roomId: string, invite?: string): Promise<HttpResponse<JoinRoomResponse>> {
    return this.http.request('POST', `${this.base}/${roomId}/join`, { token, body: invite ? { invite } : {} });
  }

  /** Creates a room and fails loudly if that does not work. */
  async createRoom(token: string, body: CreateRoomBody): Promise<Room> {
    const response = await this.create(token, body);
    if (response.status !== 201) throw new Error(`creating a room answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body.room;
  }

  /** A join ticket for the room, failing loudly if rooms refuses it. */
  async ticket(token: string, roomId: string, invite?: string): Promise<string> {
    const response = await this.join(token, roomId, invite);
    if (response.status !== 200) throw new Error(`joining room ${roomId} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body.ticket;
  }
}

/** Everything a browser on the gateway's origin talks to. */
export class GatewayClient {
  readonly http: HttpClient;
  readonly auth: AuthApi;
  readonly rooms: RoomsApi;

  constructor(readonly gatewayUrl: string) {
    this.http = new HttpClient({ origin: gatewayUrl });
    this.auth = new AuthApi(`${gatewayUrl}/api/auth`, this.http);
    this.rooms = new RoomsApi(`${gatewayUrl}/api/rooms`, this.http);
  }
}

/**
 * Auth reached directly on one replica, with a made-up client address: bulk sign-ups for setup
 * would otherwise run into the gateway's sign-in flood limit, which one scenario tests on purpose.
 */
export function directAuth(replicaUrl: string, http = new HttpClient({ forwardedFor: madeUpClientAddress() })): AuthApi {
  return new AuthApi(replicaUrl, http);
}

/**
 * An address from the benchmarking range 198.18.0.0/15 for `X-Forwarded-For`, which a service
 * honours from loopback: it keeps per-IP limits of different scenarios apart. Only a header
 * value; nothing is ever sent to it.
 */
export function madeUpClientAddress(): string {
  return `198.18.${randomByte()}.${randomByte()}`;
}

function randomByte(): number {
  return Math.floor(Math.random() * 254) + 1;
}
