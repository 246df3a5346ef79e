import {
  iceServersResponseSchema,
  joinRoomResponseSchema,
  roomListResponseSchema,
  roomResponseSchema,
  type CreateRoomBody,
  type IceServer,
  type JoinRoomResponse,
  type ListRoomsQuery,
  type Room,
  type RoomListResponse,
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
    list(query: Partial<ListRoomsQuery>): Promise<RoomListResponse> {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
      const search = params.size > 0 ? `?${params}` : '';
      return authorized((token) => requestJson(`/api/rooms${search}`, { token, schema: roomListResponseSchema }));
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
    async close(id: string): Promise<void> {
      await authorized((token) => requestJson(roomUrl(id), { method: 'DELETE', token }));
    },
    join(id: string, invite?: string): Promise<JoinRoomResponse> {
      return authorized((token) =>
        requestJson(roomUrl(id, '/join'), { method: 'POST', token, body: invite ? { invite } : {}, schema: joinRoomResponseSchema }),
      );
    },
    async iceServers(): Promise<IceServer[]> {
      const { iceServers } = await authorized((token) => requestJson('/api/rooms/ice', { token, schema: iceServersResponseSchema }));
      return iceServers;
    },
  };
}

export type RoomsClient = ReturnType<typeof createRoomsClient>;
