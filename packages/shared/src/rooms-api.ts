import { z } from 'zod';

export const ROOM_KINDS = ['game', 'business', 'coding', 'learning', 'language'] as const;
export const roomKindSchema = z.enum(ROOM_KINDS);
export type RoomKind = z.infer<typeof roomKindSchema>;

export const roomVisibilitySchema = z.enum(['public', 'private']);
export type RoomVisibility = z.infer<typeof roomVisibilitySchema>;

/** A mesh beyond 8 peers costs each browser too many uplinks; game rooms are always 2. */
export const ROOM_MIN_CAPACITY = 2;
export const ROOM_MAX_CAPACITY = 8;
export const GAME_ROOM_CAPACITY = 2;

/** Short URL-safe room id (nanoid alphabet). */
export const roomIdSchema = z.string().regex(/^[A-Za-z0-9_-]{6,32}$/, 'must be a room id');
export const userIdSchema = z.string().regex(/^[a-f0-9]{24}$/, 'must be a user id');
export const inviteCodeSchema = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'must be an invite code');

const roomNameSchema = z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters');
const capacitySchema = z.number().int().min(ROOM_MIN_CAPACITY).max(ROOM_MAX_CAPACITY);

/** `POST /api/rooms` body. Game rooms get capacity 2 whatever is asked. */
export const createRoomBodySchema = z.strictObject({
  name: roomNameSchema,
  kind: roomKindSchema,
  visibility: roomVisibilitySchema.default('public'),
  capacity: capacitySchema.default(4),
  /** People to invite (user ids); each gets a pending invitation they may accept or decline. */
  allowedUsers: z.array(userIdSchema).max(100).default([]),
  /** Whether people without an account may join through the invite link as guests (private rooms only have one). */
  guestAccess: z.boolean().default(false),
});
export type CreateRoomBody = z.input<typeof createRoomBodySchema>;

/** `PATCH /api/rooms/:id` body (owner only); at least one field. */
export const updateRoomBodySchema = z
  .strictObject({
    name: roomNameSchema.optional(),
    capacity: capacitySchema.optional(),
    locked: z.boolean().optional(),
    /** Let people without an account in through the invite link; off refuses new guest tickets at once. */
    guestAccess: z.boolean().optional(),
    /**
     * Everyone invited from now on: new ids get a pending invitation, ids left out lose theirs (an
     * accepted guest left out is removed: refused at once and taken out of a call in progress).
     */
    allowedUsers: z.array(userIdSchema).max(100).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'must change at least one field');
export type UpdateRoomBody = z.infer<typeof updateRoomBodySchema>;

/** The opaque position `nextCursor` hands out: base64url payload, a dot, base64url HMAC. */
export const roomListCursorSchema = z
  .string()
  .max(512, 'must be a cursor from nextCursor')
  .regex(/^[A-Za-z0-9_-]{1,400}\.[A-Za-z0-9_-]{1,100}$/, 'must be a cursor from nextCursor');

/**
 * `GET /api/rooms` query. Pages go on by `cursor` (the `nextCursor` of the previous page, with
 * the same q, kind and sort), never by page number: a cursor names a position, so a later page
 * costs what the first one does.
 */
export const listRoomsQuerySchema = z.strictObject({
  /** Words of the name; each matches the start of a word ("ches" finds "Friday chess club"). */
  q: z.string().trim().max(80).optional(),
  kind: roomKindSchema.optional(),
  sort: z.enum(['newest', 'occupancy']).default('newest'),
  cursor: roomListCursorSchema.optional(),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListRoomsQuery = z.infer<typeof listRoomsQuerySchema>;

/** `GET /api/rooms/mine` query: one person's rooms are few, so page numbers serve them. */
export const listMyRoomsQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListMyRoomsQuery = z.infer<typeof listMyRoomsQuerySchema>;

/** Past this many matches of a search a count would need a scan, so `total` is a lower bound. */
export const ROOM_COUNT_EXACT_LIMIT = 10_000;

export const occupancySchema = z.object({ count: z.number().int().min(0), capacity: z.number().int() });
export type Occupancy = z.infer<typeof occupancySchema>;

/** An invitation is `pending` until the invitee accepts it; only an accepted one lets them in. */
export const invitationStatusSchema = z.enum(['pending', 'accepted']);
export type InvitationStatus = z.infer<typeof invitationStatusSchema>;

/** One person the owner invited, as the owner sees it. */
export const roomInvitationSchema = z.object({
  userId: z.string(),
  status: invitationStatusSchema,
  /** The invitee's display name, known once they accepted. */
  name: z.string().optional(),
});
export type RoomInvitation = z.infer<typeof roomInvitationSchema>;

/**
 * A room as the API returns it. `inviteCode`, `allowedUsers` (everyone invited, pending or
 * accepted: what PATCH replaces) and `invitations` are present only for the owner; `invitation`
 * only for an invitee (their own invitation; the inviter is the owner, `ownerName`).
 */
export const roomSchema = z.object({
  id: roomIdSchema,
  name: z.string(),
  kind: roomKindSchema,
  visibility: roomVisibilitySchema,
  capacity: z.number().int(),
  ownerId: z.string(),
  ownerName: z.string(),
  locked: z.boolean(),
  /** Guests (no account) may join through the invite link. */
  guestAccess: z.boolean(),
  allowedUsers: z.array(z.string()).optional(),
  invitations: z.array(roomInvitationSchema).optional(),
  invitation: invitationStatusSchema.optional(),
  inviteCode: z.string().optional(),
  occupancy: occupancySchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  closedAt: z.iso.datetime().nullable(),
});
export type Room = z.infer<typeof roomSchema>;

export const roomResponseSchema = z.object({ room: roomSchema });

/** `GET /api/rooms/:id/preview?invite=` (no sign-in): only what the invite link already grants, to name the room. */
export const roomPreviewQuerySchema = z.strictObject({ invite: inviteCodeSchema });
export const roomPreviewSchema = z.object({
  id: roomIdSchema,
  name: z.string(),
  kind: roomKindSchema,
  /** Whether "Join as guest" is offered. */
  guestAccess: z.boolean(),
});
export type RoomPreview = z.infer<typeof roomPreviewSchema>;
export const roomPreviewResponseSchema = z.object({ room: roomPreviewSchema });
export const roomListResponseSchema = z.object({
  items: z.array(roomSchema),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
});
export type RoomListResponse = z.infer<typeof roomListResponseSchema>;

/** `GET /api/rooms`: one page of the public lobby. */
export const roomPageResponseSchema = z.object({
  items: z.array(roomSchema),
  /** Pass as `cursor` (with the same q, kind and sort) for the next page; null at the end. A page may hold fewer than pageSize items and still have a next one. */
  nextCursor: roomListCursorSchema.nullable(),
  /** Open public rooms that match; exact unless `totalIsLowerBound`. */
  total: z.number().int().min(0),
  /** True when counting every match would need a scan: there are at least `total` (show "10,000+"). */
  totalIsLowerBound: z.boolean(),
});
export type RoomPageResponse = z.infer<typeof roomPageResponseSchema>;

/** `POST /api/rooms/:id/join` body. */
export const joinRoomBodySchema = z.strictObject({
  invite: inviteCodeSchema.optional(),
  /**
   * To knock on a locked room: the ticket is issued although the room is locked (every other check
   * still applies: access, invite, bans, capacity), so signaling's `room:knock` can tell that the
   * knocker may be let in. It does not seat anyone past the lock until the host admits them.
   */
  knock: z.boolean().optional(),
});

/** An RTCIceServer as browsers take it. */
export const iceServerSchema = z.object({
  urls: z.array(z.string()),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof iceServerSchema>;

export const iceServersResponseSchema = z.object({
  iceServers: z.array(iceServerSchema),
  /** Seconds until the TURN credentials stop working. */
  ttl: z.number().int().positive(),
});

/** A deployment's video upload budget per person when it sets none, kbit/s. */
export const DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS = 2_500;

export const joinRoomResponseSchema = z.object({
  room: roomSchema,
  ticket: z.string(),
  /** Seconds until the ticket expires. */
  ticketExpiresIn: z.number().int().positive(),
  iceServers: z.array(iceServerSchema),
  /**
   * Kilobits per second one participant may send as video in total, shared between the streams
   * to each peer of the mesh (a deployment setting: rooms' `VIDEO_UPLOAD_BUDGET_KBPS`).
   */
  videoUploadBudgetKbps: z.number().int().positive(),
});
export type JoinRoomResponse = z.infer<typeof joinRoomResponseSchema>;

/** Most occupancy changes one `rooms:occupancy` message carries; more go in several messages. */
export const LOBBY_OCCUPANCY_BATCH_MAX = 500;

export const occupancyChangeSchema = z.object({ roomId: roomIdSchema, occupancy: occupancySchema });
export type OccupancyChange = z.infer<typeof occupancyChangeSchema>;

/** Messages pushed on the lobby WebSocket `GET /api/rooms/live`. */
export const lobbyEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('room:created'), room: roomSchema }),
  z.object({ type: z.literal('room:updated'), room: roomSchema }),
  z.object({ type: z.literal('room:closed'), roomId: roomIdSchema }),
  /**
   * The occupancy of the rooms that changed since the previous such message (the latest count of
   * each, sent every 50 ms at most): one message for many changes, so a busy lobby costs each
   * viewer a few messages a second, not one per seat taken.
   */
  z.object({ type: z.literal('rooms:occupancy'), changes: z.array(occupancyChangeSchema).min(1).max(LOBBY_OCCUPANCY_BATCH_MAX) }),
]);
export type LobbyEvent = z.infer<typeof lobbyEventSchema>;

/**
 * Client → server on the lobby WebSocket. Browsers cannot set headers on a WebSocket, and a token
 * in the URL ends up in proxy and access logs, so the access token travels as the first message
 * (and again, fresh, before it expires; otherwise the server closes with LobbyCloseCode.Unauthorized).
 */
export const lobbyAuthMessageSchema = z.strictObject({ type: z.literal('auth'), token: z.string().min(1).max(4096) });
export type LobbyAuthMessage = z.infer<typeof lobbyAuthMessageSchema>;

/** Server → client after each accepted `auth` message: events follow from now until `expiresAt`. */
export const lobbyReadyMessageSchema = z.object({ type: z.literal('ready'), expiresAt: z.iso.datetime() });
export type LobbyReadyMessage = z.infer<typeof lobbyReadyMessageSchema>;

/** Close codes of the lobby WebSocket (4000-4999 is the application range). */
export const LobbyCloseCode = {
  /** No valid access token arrived in time, or the token expired without a fresh one. */
  Unauthorized: 4401,
  /** A message that is not a valid `auth` message. */
  BadMessage: 4400,
  /** The client reads too slowly to keep up; reconnect and refetch the list. */
  TooSlow: 4408,
} as const;

/** Someone the owner removed from a room (kicked from a call); kept out until the owner lets them back in. */
export const roomBanSchema = z.object({
  userId: z.string(),
  /** Their display name when they were removed. */
  name: z.string(),
  bannedAt: z.iso.datetime(),
  /** `kicked` from a call, or `removed` from the invitations. */
  reason: z.enum(['kicked', 'removed']),
});
export type RoomBan = z.infer<typeof roomBanSchema>;

/** `GET /api/rooms/:id/bans` (owner only), most recent first. */
export const roomBansResponseSchema = z.object({ bans: z.array(roomBanSchema) });
export type RoomBansResponse = z.infer<typeof roomBansResponseSchema>;
