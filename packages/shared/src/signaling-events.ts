import { z } from 'zod';
import type { AckCallback } from './ack.js';
import { roomRoleSchema } from './tokens.js';
import { displayNameSchema } from './auth-api.js';
import { roomIdSchema, roomKindSchema } from './rooms-api.js';

/** Socket.IO engine cap: a frame larger than this closes the socket (maxHttpBufferSize). */
export const MAX_SOCKET_MESSAGE_BYTES = 64 * 1024;
/** Chat messages kept per open room in Redis. */
export const CHAT_HISTORY_LIMIT = 200;
/** Chat messages handed to a joiner. */
export const CHAT_HISTORY_ON_JOIN = 50;
export const CHAT_MAX_LENGTH = 2000;

/** Client → server event names (fixed: other clients speak this protocol). */
export const ClientEvent = {
  /** Take a seat with a join ticket, or take one's seat back after a reconnect. */
  Join: 'room:join',
  /** Relay an SDP description or ICE candidate to one named peer. */
  Signal: 'signal',
  /** Announce own microphone/camera/screen state. */
  MediaState: 'media:state',
  /** Send a chat message to the room. */
  ChatSend: 'chat:send',
  /** Play a tic-tac-toe move (game rooms). */
  GameMove: 'game:move',
  /** Start a new tic-tac-toe game (game rooms). */
  GameReset: 'game:reset',
  /** Leave the room and free the seat. */
  Leave: 'room:leave',
  /** Host only (the owner, or whom moderation passed to): remove a peer. */
  Kick: 'room:kick',
  /** Host only: lock or unlock the room for newcomers. */
  Lock: 'room:lock',
  /** Host only: end the call for everyone in it; the room and its invite link stay for the next call. */
  End: 'room:end',
  /** Host only: ask one peer to turn their microphone off; they decide. */
  AskMute: 'peer:ask-mute',
  /** Ask the host of a locked room to be let in (with a ticket issued for knocking). */
  Knock: 'room:knock',
  /** Take back one's waiting knock. */
  KnockCancel: 'room:knock-cancel',
  /** Host only: admit or decline a knock. */
  AnswerKnock: 'room:answer-knock',
  /** Hand over a fresh access token before the current one expires. */
  SessionRefresh: 'session:refresh',
} as const;

/** Server → client event names. */
export const ServerEvent = {
  /** Someone took a seat. */
  PeerJoined: 'peer:joined',
  /** Someone left, was kicked or timed out. */
  PeerLeft: 'peer:left',
  /** An SDP description or ICE candidate from one peer, for this socket only. */
  Signal: 'signal',
  /** A peer's microphone/camera/screen state changed. */
  PeerMedia: 'peer:media',
  /** A chat message in the room. */
  ChatMessage: 'chat:message',
  /** The tic-tac-toe board after a move or reset. */
  GameState: 'game:state',
  /** This socket was removed from the room by its owner. */
  Kicked: 'room:kicked',
  /** The same account took a seat in this room from another tab or device; this socket's seat moved there. */
  JoinedElsewhere: 'room:joined-elsewhere',
  /** The room was locked or unlocked. */
  Locked: 'room:locked',
  /** The room was closed; the call is over. */
  Closed: 'room:closed',
  /** The owner ended the call for everyone; the room stays and can be joined again. */
  Ended: 'room:ended',
  /** The owner asks this peer to mute; the peer chooses (nothing is muted for them). */
  MuteRequested: 'peer:mute-requested',
  /** Moderation passed to another peer (the host left, or the owner came back). */
  Host: 'room:host',
  /** To the host: someone knocks on the locked room. */
  KnockRequest: 'room:knock-request',
  /** To the host: a knock is no longer waiting (cancelled, timed out, or answered). */
  KnockWithdrawn: 'room:knock-withdrawn',
  /** To the knocker: the host's answer, or that nobody answered in time. */
  KnockResult: 'room:knock-result',
  /** The access token expires soon: send `session:refresh` or be disconnected. */
  SessionExpiring: 'session:expiring',
} as const;

export const mediaStateSchema = z.strictObject({
  audio: z.boolean(),
  video: z.boolean(),
  screen: z.boolean(),
});
export type MediaState = z.infer<typeof mediaStateSchema>;

/** Ids the server hands out for seats; random, URL-safe. */
export const peerIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,32}$/, 'must be a peer id');

export const peerSchema = z.object({
  peerId: peerIdSchema,
  userId: z.string(),
  name: z.string(),
  role: roomRoleSchema,
  /** Joined as a guest (no account); the call marks them "Guest". Seats stored before this field read as false. */
  guest: z.boolean().default(false),
  media: mediaStateSchema,
});
export type Peer = z.infer<typeof peerSchema>;

export const chatMessageSchema = z.object({
  id: z.string(),
  peerId: z.string(),
  userId: z.string(),
  name: z.string(),
  text: z.string(),
  /** ISO timestamp set by the server. */
  at: z.iso.datetime(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const gameMarkSchema = z.enum(['X', 'O']);
export type GameMark = z.infer<typeof gameMarkSchema>;

/** Authoritative tic-tac-toe state. Players are user ids: X is whoever joined first. */
export const gameStateSchema = z.object({
  board: z.array(gameMarkSchema.nullable()).length(9),
  turn: gameMarkSchema,
  winner: z.union([gameMarkSchema, z.literal('draw')]).nullable(),
  players: z.object({ X: z.string().nullable(), O: z.string().nullable() }),
});
export type GameState = z.infer<typeof gameStateSchema>;

// ---- client → server payloads ----

export const resumeSchema = z.strictObject({
  roomId: roomIdSchema,
  peerId: peerIdSchema,
  /** Secret handed out with the seat; proves the reconnecting socket owns it. */
  resumeToken: z.string().min(16).max(128),
  /**
   * The highest `seq` of a `signal` this peer received before the connection dropped. Signals
   * after it are replayed exactly once, in order; without it the server cannot tell what arrived
   * and may answer `resync: true` instead.
   */
  lastSignalSeq: z.number().int().min(0).optional(),
});

/** `room:join`: a ticket for a new seat, or a resume for a seat held through a reconnect. */
export const joinPayloadSchema = z.union([
  z.strictObject({
    ticket: z.string().min(1).max(4096),
    /**
     * The name others see in this call only (tiles, people list, chat); the account's name from
     * the ticket when absent. Kept with the seat, so a resume keeps it; the account is unchanged.
     */
    name: displayNameSchema.optional(),
  }),
  z.strictObject({ resume: resumeSchema }),
]);
export type JoinPayload = z.infer<typeof joinPayloadSchema>;

export const sessionDescriptionSchema = z.strictObject({
  type: z.enum(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: z.string().max(60_000).optional(),
});

/** An SDP offer, answer, provisional answer or rollback, as RTCPeerConnection produces it. */
export type SessionDescription = z.infer<typeof sessionDescriptionSchema>;

export const iceCandidateSchema = z.strictObject({
  candidate: z.string().max(2048),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(1024).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});

/** An ICE candidate as RTCIceCandidate.toJSON() gives it. */
export type IceCandidate = z.infer<typeof iceCandidateSchema>;

/** `signal`: exactly one of description or candidate, for exactly one peer. */
export const signalPayloadSchema = z
  .strictObject({
    to: peerIdSchema,
    description: sessionDescriptionSchema.optional(),
    candidate: iceCandidateSchema.nullable().optional(),
  })
  .refine((p) => (p.description === undefined) !== (p.candidate === undefined), 'must carry either description or candidate');
export type SignalPayload = z.infer<typeof signalPayloadSchema>;

export const chatSendPayloadSchema = z.strictObject({
  text: z.string().trim().min(1, 'must not be empty').max(CHAT_MAX_LENGTH, `must be at most ${CHAT_MAX_LENGTH} characters`),
});
export const gameMovePayloadSchema = z.strictObject({ cell: z.number().int().min(0).max(8) });
export const emptyPayloadSchema = z.strictObject({});
export const kickPayloadSchema = z.strictObject({ peerId: peerIdSchema });
export const lockPayloadSchema = z.strictObject({ locked: z.boolean() });
export const askMutePayloadSchema = z.strictObject({ peerId: peerIdSchema });
export const knockPayloadSchema = z.strictObject({ ticket: z.string().min(1).max(4096) });
/** Ids the server hands out for knocks; random, URL-safe. */
export const knockIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,32}$/, 'must be a knock id');
export const answerKnockPayloadSchema = z.strictObject({ knockId: knockIdSchema, admit: z.boolean() });
export const sessionRefreshPayloadSchema = z.strictObject({ token: z.string().min(1).max(4096) });

// ---- server → client payloads ----

export const joinResultSchema = z.object({
  peerId: peerIdSchema,
  role: roomRoleSchema,
  /** Keep it: with it `room:join { resume }` takes the same seat back after a reconnect. */
  resumeToken: z.string(),
  room: z.object({ id: roomIdSchema, kind: roomKindSchema, capacity: z.number().int(), locked: z.boolean() }),
  /**
   * The peer who moderates the room now (kick, lock, ask to mute, end the call): the owner while
   * seated, else whoever has been in the room longest since the owner left; null when nobody does
   * (the owner has not come since the room last emptied). May be the joiner itself.
   */
  host: peerIdSchema.nullable(),
  /** Everyone already seated, not including the joiner. */
  peers: z.array(peerSchema),
  /** The last CHAT_HISTORY_ON_JOIN messages, oldest first. */
  chat: z.array(chatMessageSchema),
  /** Present in game rooms. */
  game: gameStateSchema.nullable(),
  /**
   * On a resume: true when messages addressed to this peer while it was away could not all be
   * kept, so the client must renegotiate with every peer (an ICE restart).
   */
  resync: z.boolean(),
});
export type JoinResult = z.infer<typeof joinResultSchema>;

/** `replaced`: the same account joined again (another tab, a reload) and its new seat took this one's place. */
export const peerLeftReasonSchema = z.enum(['left', 'disconnected', 'kicked', 'closed', 'replaced']);
export type PeerLeftReason = z.infer<typeof peerLeftReasonSchema>;

/** A relayed SDP description or ICE candidate, as the recipient gets it. */
export const signalMessageSchema = z.object({
  from: peerIdSchema,
  /**
   * Per-recipient sequence number, increasing by one for every signal addressed to this peer.
   * Keep the highest one seen and send it as `resume.lastSignalSeq` after a reconnect.
   */
  seq: z.number().int().min(0).optional(),
  description: sessionDescriptionSchema.optional(),
  candidate: iceCandidateSchema.nullable().optional(),
});
export type SignalMessage = z.infer<typeof signalMessageSchema>;

/**
 * Why `room:kicked` took this socket out of its room: a code for clients to branch on and word
 * themselves, never text for people.
 * - `kicked`: the room's owner removed the account (a ban until lifted).
 * - `uninvited`: the owner took the account's invitation back (through rooms).
 * - `removed`: the server found the seat gone (for example after a long loss of connection).
 */
export const removalReasonSchema = z.enum(['kicked', 'uninvited', 'removed']);
export type RemovalReason = z.infer<typeof removalReasonSchema>;

/**
 * How a knock ended, for the knocker: `admitted` (join now: rooms and signaling let this account
 * past the lock once, within KNOCK_ADMISSION_MS), `declined` by the host, `timeout` (nobody
 * answered within KNOCK_TIMEOUT_MS), `no-host` (the host left and nobody may let them in).
 */
export const knockOutcomeSchema = z.enum(['admitted', 'declined', 'timeout', 'no-host']);
export type KnockOutcome = z.infer<typeof knockOutcomeSchema>;

/** Why `room:closed` ended the call: `closed`, the owner closed the room (through rooms). */
export const roomClosedReasonSchema = z.enum(['closed']);
export type RoomClosedReason = z.infer<typeof roomClosedReasonSchema>;

/**
 * The payload schema of every server event, by event name. Server events are outside input for a
 * client: it checks each against its schema before acting on it. ServerToClientEvents is derived
 * from this map, so the server's emits (typed from ServerToClientEvents) and what clients accept
 * cannot drift apart. Objects are not strict: a newer server may add fields an older client ignores.
 */
export const serverEventPayloadSchemas = {
  'peer:joined': peerSchema,
  'peer:left': z.object({ peerId: peerIdSchema, reason: peerLeftReasonSchema }),
  signal: signalMessageSchema,
  'peer:media': mediaStateSchema.extend({ peerId: peerIdSchema }),
  'chat:message': chatMessageSchema,
  'game:state': gameStateSchema,
  'room:kicked': z.object({ reason: removalReasonSchema }),
  'room:joined-elsewhere': z.object({}),
  'room:locked': z.object({ locked: z.boolean() }),
  'room:closed': z.object({ reason: roomClosedReasonSchema }),
  /** The owner ended the call: this socket is out of the room, which stays open for the next call. */
  'room:ended': z.object({}),
  /** `from`: the owner's peer id. A request only: the client asks its person and mutes only if they agree. */
  'peer:mute-requested': z.object({ from: peerIdSchema }),
  /**
   * Moderation passed to `peerId` (its display name `name`): the host left for good (not a
   * reconnect inside the resume window) and this peer has been in the room longest, or the owner
   * came back and took it back. Everyone in the room hears it, the new host included.
   */
  'room:host': z.object({ peerId: peerIdSchema, name: z.string() }),
  /** To the host: `name` asks to join; answer with `room:answer-knock { knockId, admit }`. */
  'room:knock-request': z.object({ knockId: knockIdSchema, name: z.string() }),
  /** To the host: the knock is no longer waiting; drop its notice. */
  'room:knock-withdrawn': z.object({ knockId: knockIdSchema }),
  /** To the knocker: how its knock ended. */
  'room:knock-result': z.object({ outcome: knockOutcomeSchema }),
  'session:expiring': z.object({ expiresAt: z.iso.datetime() }),
} as const;

/** A server event's payload as its schema accepts it. */
export type ServerEventPayload<E extends keyof ServerToClientEvents> = z.output<(typeof serverEventPayloadSchemas)[E]>;

/**
 * Typed Socket.IO maps: `Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>`.
 * Every event is answered through its acknowledgement callback. `signal`, `media:state` and
 * `room:leave` may also go without one (UnacknowledgedEvent): the server then answers nothing, not
 * even a refusal, and writes one frame less per message, for what a later message supersedes anyway.
 */
export interface ClientToServerEvents {
  'room:join': (payload: JoinPayload, ack: AckCallback<JoinResult>) => void;
  signal: (payload: SignalPayload, ack?: AckCallback<null>) => void;
  'media:state': (payload: MediaState, ack?: AckCallback<null>) => void;
  'chat:send': (payload: { text: string }, ack: AckCallback<ChatMessage>) => void;
  'game:move': (payload: { cell: number }, ack: AckCallback<GameState>) => void;
  'game:reset': (payload: Record<string, never>, ack: AckCallback<GameState>) => void;
  'room:leave': (payload: Record<string, never>, ack?: AckCallback<null>) => void;
  'room:kick': (payload: { peerId: string }, ack: AckCallback<null>) => void;
  'room:lock': (payload: { locked: boolean }, ack: AckCallback<{ locked: boolean }>) => void;
  'room:end': (payload: Record<string, never>, ack: AckCallback<null>) => void;
  'peer:ask-mute': (payload: { peerId: string }, ack: AckCallback<null>) => void;
  'room:knock': (payload: { ticket: string }, ack: AckCallback<{ knockId: string }>) => void;
  'room:knock-cancel': (payload: Record<string, never>, ack: AckCallback<null>) => void;
  'room:answer-knock': (payload: { knockId: string; admit: boolean }, ack: AckCallback<null>) => void;
  'session:refresh': (payload: { token: string }, ack: AckCallback<{ expiresAt: string }>) => void;
}

/** Server → client events, each taking the payload its schema in serverEventPayloadSchemas describes. */
export type ServerToClientEvents = {
  [E in keyof typeof serverEventPayloadSchemas]: (payload: z.output<(typeof serverEventPayloadSchemas)[E]>) => void;
};

/**
 * The payload schema of every client event, by event name: the one place an event is paired
 * with its schema. `satisfies` holds each schema's output to the payload type of
 * ClientToServerEvents, so neither can change without the other.
 */
export const clientEventPayloadSchemas = {
  'room:join': joinPayloadSchema,
  signal: signalPayloadSchema,
  'media:state': mediaStateSchema,
  'chat:send': chatSendPayloadSchema,
  'game:move': gameMovePayloadSchema,
  'game:reset': emptyPayloadSchema,
  'room:leave': emptyPayloadSchema,
  'room:kick': kickPayloadSchema,
  'room:lock': lockPayloadSchema,
  'room:end': emptyPayloadSchema,
  'peer:ask-mute': askMutePayloadSchema,
  'room:knock': knockPayloadSchema,
  'room:knock-cancel': emptyPayloadSchema,
  'room:answer-knock': answerKnockPayloadSchema,
  'session:refresh': sessionRefreshPayloadSchema,
} as const satisfies { [E in keyof ClientToServerEvents]: z.ZodType<Parameters<ClientToServerEvents[E]>[0]> };

/** A client event's payload once its schema accepted it. */
export type ClientEventPayload<E extends keyof ClientToServerEvents> = z.output<(typeof clientEventPayloadSchemas)[E]>;

/** The client events that may be sent without an acknowledgement callback (fire and forget). */
export type UnacknowledgedEvent = 'signal' | 'media:state' | 'room:leave';

/** What a client event's acknowledgement carries when it succeeds. */
export type ClientEventAckData<E extends keyof ClientToServerEvents> =
  NonNullable<Parameters<ClientToServerEvents[E]>[1]> extends AckCallback<infer T> ? T : never;

/**
 * The schema of every client event's acknowledgement data on success, by event name, so a client
 * can check what the server answered as it checks server events. `satisfies` holds each to the
 * ack type of ClientToServerEvents.
 */
export const clientEventAckSchemas = {
  'room:join': joinResultSchema,
  signal: z.null(),
  'media:state': z.null(),
  'chat:send': chatMessageSchema,
  'game:move': gameStateSchema,
  'game:reset': gameStateSchema,
  'room:leave': z.null(),
  'room:kick': z.null(),
  'room:lock': z.object({ locked: z.boolean() }),
  'room:end': z.null(),
  'peer:ask-mute': z.null(),
  'room:knock': z.object({ knockId: knockIdSchema }),
  'room:knock-cancel': z.null(),
  'room:answer-knock': z.null(),
  'session:refresh': z.object({ expiresAt: z.iso.datetime() }),
} as const satisfies { [E in keyof ClientToServerEvents]: z.ZodType<ClientEventAckData<E>> };

/** Replicas talk through Redis keys and the adapter, not serverSideEmit (it waits on slow nodes). */
export type InterServerEvents = Record<string, never>;

/** What a socket carries after the handshake and after joining. */
export interface SocketData {
  userId: string;
  name: string;
  /** Access-token expiry, epoch seconds. */
  tokenExpiresAt: number;
  /** The access token's session (`sid`): signing it out drops the socket. */
  sessionId?: string;
  /** Set for a guest token: the one room this socket may join. */
  guestOf?: string;
  roomId?: string;
  peerId?: string;
  role?: z.infer<typeof roomRoleSchema>;
}
