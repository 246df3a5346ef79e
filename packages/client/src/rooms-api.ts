import {
  iceServersResponseSchema,
  joinRoomResponseSchema,
  roomBansResponseSchema,
  roomListResponseSchema,
  roomPageResponseSchema,
  roomPreviewResponseSchema,
  roomResponseSchema,
  type CreateRoomBody,
  type IceServer,
  type JoinRoomResponse,
  type ListRoomsQuery,
  type Room,
  type RoomBan,
  type RoomListResponse,
  type RoomPageResponse,
  type RoomPreview,
  type UpdateRoomBody,
} from '@meshcall/shared';
import type { HttpTransport } from './http.js';

/** Runs an authenticated call with a valid access token (AccessTokens.authorized). */
export type Authorized = <T>(call: (accessToken: string) => Promise<T>) => Promise<T>;

/** meshcall's rooms API (`/api/rooms/*` behind the gateway), every call authenticated. */
export class RoomsApi {
  /**
   * @param http - the transport to the gateway
   * @param authorized - supplies the access token, refreshing it when needed
   * @param basePath - where rooms is mounted: `/api/rooms` behind the gateway
   */
  constructor(
    private readonly http: HttpTransport,
    private readonly authorized: Authorized,
    private readonly basePath = '/api/rooms',
  ) {}

  /** One page of the public lobby; pass the previous page's `nextCursor` as `cursor` for the next. */
  async list(query: Partial<ListRoomsQuery> = {}): Promise<RoomPageResponse> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
    const search = params.size > 0 ? `?${params}` : '';
    return this.authorized(async (token) => (await this.http.request(`${this.basePath}${search}`, { token, schema: roomPageResponseSchema })).body);
  }

  /** The signed-in user's own rooms and the rooms they are invited to (first `pageSize`, at most 50). */
  async mine(pageSize = 50): Promise<RoomListResponse> {
    return this.authorized(async (token) => (await this.http.request(`${this.basePath}/mine?pageSize=${pageSize}`, { token, schema: roomListResponseSchema })).body);
  }

  /** Creates a room owned by the signed-in user; ROOM_QUOTA_REACHED when they have too many open. */
  async create(body: CreateRoomBody): Promise<Room> {
    return this.authorized(async (token) => (await this.http.request(this.basePath, { method: 'POST', token, body, schema: roomResponseSchema })).body.room);
  }

  /** One room, if the user may see it (a private one needs its invite code). */
  async get(roomId: string, invite?: string): Promise<Room> {
    const search = invite ? `?invite=${encodeURIComponent(invite)}` : '';
    return this.authorized(async (token) => (await this.http.request(this.roomPath(roomId, search), { token, schema: roomResponseSchema })).body.room);
  }

  /**
   * What an invite link shows before anyone signs in (`GET /:id/preview?invite=`, no token): the
   * room's name and kind and whether guests may join. A wrong code is FORBIDDEN.
   */
  async preview(roomId: string, invite: string): Promise<RoomPreview> {
    const path = this.roomPath(roomId, `/preview?invite=${encodeURIComponent(invite)}`);
    return (await this.http.request(path, { schema: roomPreviewResponseSchema })).body.room;
  }

  /** Owner: changes a room's name, capacity, lock, guest access or guest list. */
  async update(roomId: string, body: UpdateRoomBody): Promise<Room> {
    return this.authorized(async (token) => (await this.http.request(this.roomPath(roomId), { method: 'PATCH', token, body, schema: roomResponseSchema })).body.room);
  }

  /** Invitee: accepts an invitation, after which the room lets the user in. */
  async acceptInvitation(roomId: string): Promise<Room> {
    return this.authorized(
      async (token) => (await this.http.request(this.roomPath(roomId, '/invitation/accept'), { method: 'POST', token, body: {}, schema: roomResponseSchema })).body.room,
    );
  }

  /** Invitee: declines an invitation (or leaves the guest list). */
  async declineInvitation(roomId: string): Promise<void> {
    await this.authorized((token) => this.http.request(this.roomPath(roomId, '/invitation/decline'), { method: 'POST', token, body: {} }));
  }

  /** Owner: replaces a private room's invite code, so links with the old one stop working. */
  async rotateInvite(roomId: string): Promise<Room> {
    return this.authorized(async (token) => (await this.http.request(this.roomPath(roomId, '/invite'), { method: 'POST', token, body: {}, schema: roomResponseSchema })).body.room);
  }

  /** Owner: who is kept out of the room (kicked or uninvited), most recent first. */
  async bans(roomId: string): Promise<RoomBan[]> {
    return this.authorized(async (token) => (await this.http.request(this.roomPath(roomId, '/bans'), { token, schema: roomBansResponseSchema })).body.bans);
  }

  /** Owner: lets a banned account back in. */
  async liftBan(roomId: string, userId: string): Promise<void> {
    await this.authorized((token) => this.http.request(this.roomPath(roomId, `/bans/${encodeURIComponent(userId)}`), { method: 'DELETE', token }));
  }

  /**
   * Admission to a room: a short-lived single-use join ticket for `SignalingConnection.join`, the
   * ICE servers (TURN credentials included) and the per-person video upload budget.
   * BANNED, ROOM_CLOSED, FORBIDDEN (private, no invite), ROOM_FULL and ROOM_LOCKED refuse it.
   * With `knock`, a locked room does not refuse it: the ticket is for `SignalingConnection.knock`,
   * and seats nobody past the lock until the host admits the account (then a plain `join`
   * gets a ticket past the lock, once).
   */
  async join(roomId: string, invite?: string, options: { knock?: boolean } = {}): Promise<JoinRoomResponse> {
    const body = { ...(invite ? { invite } : {}), ...(options.knock ? { knock: true } : {}) };
    return this.authorized(async (token) => (await this.http.request(this.roomPath(roomId, '/join'), { method: 'POST', token, body, schema: joinRoomResponseSchema })).body);
  }

  /**
   * Fresh TURN credentials for a room the user is in, as the web asks for them before they run
   * out during a long call (`POST /:id/ice`; a bounded number per user and seat).
   */
  async iceServers(roomId: string, invite?: string): Promise<IceServer[]> {
    const search = invite ? `?invite=${encodeURIComponent(invite)}` : '';
    return this.authorized(
      async (token) => (await this.http.request(this.roomPath(roomId, `/ice${search}`), { method: 'POST', token, schema: iceServersResponseSchema })).body.iceServers,
    );
  }

  /** Closes a room (owner only): everyone in its call hears `room:closed`. */
  async close(roomId: string): Promise<void> {
    await this.authorized((token) => this.http.request(this.roomPath(roomId), { method: 'DELETE', token }));
  }

  private roomPath(roomId: string, suffix = ''): string {
    return `${this.basePath}/${encodeURIComponent(roomId)}${suffix}`;
  }
}
