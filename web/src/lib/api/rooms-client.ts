import {
  iceServersResponseSchema,
  joinRoomResponseSchema,
  roomBansResponseSchema,
  roomListResponseSchema,
  roomPageResponseSchema,
  roomResponseSchema,
  type CreateRoomBody,
  type IceServer,
  type JoinRoomResponse,
  type ListRoomsQuery,
  type Room,
  type RoomBan,
  type RoomListResponse,
  type RoomPageResponse,
  type UpdateRoomBody,
} from '@meshcall/shared';
import { requestJson } from './http.js';

/** Runs a request with a valid access token, refreshing and retrying once on 401. */
export type Authorized = <T>(call: (token: string) => Promise<T>) => Promise<T>;

function roomUrl(id: string, suffix = ''): string {
  return `/api/rooms/${encodeURIComponent(id)}${suffix}`;
}

/** `/api/rooms/*`, every call authenticated. */
export function createRoomsClient(authorized: Authorized) {
  return {
    /** One page of the public lobby; pass the previous page's `nextCursor` as `cursor` for the next. */
    list(query: Partial<ListRoomsQuery>): Promise<RoomPageResponse> {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
      const search = params.size > 0 ? `?${params}` : '';
      return authorized((token) => requestJson(`/api/rooms${search}`, { token, schema: roomPageResponseSchema }));
    },
    mine(): Promise<RoomListResponse> {
      return authorized((token) => requestJson('/api/rooms/mine?pageSize=50', { token, schema: roomListResponseSchema }));
    },
    async get(id: string, invite?: string): Promise<Room> {
      const search = invite ? `?invite=${encodeURIComponent(invite)}` : '';
      const { room } = await authorized((token) => requestJson(roomUrl(id, search), { token, schema: roomResponseSchema }));
      return room;
    },
    async create(body: CreateRoomBody): Promise<Room> {
      const { room } = await authorized((token) => requestJson('/api/rooms', { method: 'POST', token, body, schema: roomResponseSchema }));
      return room;
    },
    async update(id: string, body: UpdateRoomBody): Promise<Room> {
      const { room } = await authorized((token) => requestJson(roomUrl(id), { method: 'PATCH', token, body, schema: roomResponseSchema }));
      return room;
    },
    /** Invitee: accept an invitation, after which it lets the user in. */
    async acceptInvitation(id: string): Promise<Room> {
      const { room } = await authorized((token) => requestJson(roomUrl(id, '/invitation/accept'), { method: 'POST', token, body: {}, schema: roomResponseSchema }));
      return room;
    },
    /** Invitee: decline an invitation (or leave the guest list). */
    async declineInvitation(id: string): Promise<void> {
      await authorized((token) => requestJson(roomUrl(id, '/invitation/decline'), { method: 'POST', token, body: {} }));
    },
    /** Owner: who is kept out of the room (kicked), most recent first. */
    async bans(id: string): Promise<RoomBan[]> {
      const { bans } = await authorized((token) => requestJson(roomUrl(id, '/bans'), { token, schema: roomBansResponseSchema }));
      return bans;
    },
    /** Owner: let a banned account back in. */
    async liftBan(id: string, userId: string): Promise<void> {
      await authorized((token) => requestJson(roomUrl(id, `/bans/${encodeURIComponent(userId)}`), { method: 'DELETE', token }));
    },
    async close(id: string): Promise<void> {
      await authorized((token) => requestJson(roomUrl(id), { method: 'DELETE', token }));
    },
    join(id: string, invite?: string): Promise<JoinRoomResponse> {
      return authorized((token) =>
        requestJson(roomUrl(id, '/join'), { method: 'POST', token, body: invite ? { invite } : {}, schema: joinRoomResponseSchema }),
      );
    },
    /** Fresh TURN credentials for a room we are in: rooms hands them out only per room, and a bounded number. */
    async iceServers(id: string, invite?: string): Promise<IceServer[]> {
      const search = invite ? `?invite=${encodeURIComponent(invite)}` : '';
      const { iceServers } = await authorized((token) => requestJson(roomUrl(id, `/ice${search}`), { method: 'POST', token, schema: iceServersResponseSchema }));
      return iceServers;
    },
  };
}

export type RoomsClient = ReturnType<typeof createRoomsClient>;
