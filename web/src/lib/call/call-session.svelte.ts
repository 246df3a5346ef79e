import { DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS, type ClientToServerEvents, type JoinPayload, type JoinResult, type Room, type RoomRole, type ServerToClientEvents, type UnacknowledgedEvent } from '@meshcall/shared';
import { ApiError, ClientErrorCode, toApiError, type UiErrorCode } from '../api/api-error.js';
import type { RoomsClient } from '../api/rooms-client.js';
import { IceCredentials } from './ice-credentials.js';
import { parseExpiring, parseJoinResult } from './server-events.js';
import { createSignalingSocket, emitRequest, handshakeErrorCode, sendUnacknowledged, type AckData, type EventPayload, type SignalingSocket } from './signaling-client.js';

export interface RoomInfo {
  id: string;
  name: string;
  kind: Room['kind'];
  capacity: number;
  locked: boolean;
  visibility: Room['visibility'];
  ownerId: string;
  inviteCode: string | undefined;
  /** Guests may join through the invite link (the owner's setting). */
  guestAccess: boolean;
}

/** A client event sent on the call's socket, resolved with its acknowledgement's data (or an ApiError). */
export type SendRequest = <E extends keyof ClientToServerEvents>(event: E, payload: EventPayload<E>, timeoutMs?: number) => Promise<AckData<E>>;

/** The access tokens the socket presents, from the signed-in session. */
export interface SessionTokens {
  freshToken: () => Promise<string>;
  /** A token that is still valid at `epochMs`. */
  tokenOutliving: (epochMs: number) => Promise<string>;
  /** Called with every new token; returns the unsubscribe. */
  onToken: (listener: (token: string) => void) => () => void;
}

export interface CallSessionHooks {
  /**
   * We hold a seat: the first one, the same one taken back after a reconnect (`sameSeat`), or a
   * new one because the old was gone (everyone else then knows us by a new peer id).
   */
  seated: (result: JoinResult, change: { sameSeat: boolean; afterReconnect: boolean }) => void;
  /** The seat is lost for good, with the catalogue code that says why. */
  lost: (code: UiErrorCode) => void;
}

export interface CallSessionDeps {
  rooms: Pick<RoomsClient, 'join' | 'iceServers'>;
  tokens: SessionTokens;
  hooks: CallSessionHooks;
}

const CONNECT_TIMEOUT_MS = 15_000;
const MAX_HANDSHAKE_RETRIES = 3;

type Listener = [event: keyof ServerToClientEvents, handler: (payload: unknown) => void];

/**
 * The connection to the call: admission by rooms (ticket, TURN credentials, budget), the
 * signaling socket with its handshake retries and token renewals, and our seat, taken back after
 * a reconnect (or a new one taken if it is gone).
 */
export class CallSession {
  connection = $state<'connected' | 'reconnecting'>('connected');
  room = $state<RoomInfo | null>(null);
  selfPeerId = $state<string | null>(null);
  role = $state<RoomRole>('member');
  /** The peer who moderates the call now (the owner, or whom it passed to), if anyone does. */
  host = $state<string | null>(null);
  /** What we may send as video in total, kbit/s: the deployment's budget from the join admission. */
  videoUploadBudgetKbps = $state(DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS);
  readonly ice: IceCredentials;
  readonly #deps: CallSessionDeps;
  readonly #listeners: Listener[] = [];
  #socket: SignalingSocket | null = null;
  #invite: string | undefined;
  /** The name chosen for this call on the pre-join; undefined keeps the account's. Sent with every new seat. */
  #callName: string | undefined;
  #resume: { roomId: string; peerId: string; resumeToken: string } | null = null;
  /** Highest signal sequence number received on this seat, so a resume replays only what was missed. */
  #lastSignalSeq: number | undefined;
  #handshakeFailures = 0;
  #stopTokenUpdates: (() => void) | null = null;
  #connectWaiter: { resolve: () => void; reject: (error: unknown) => void } | null = null;

  constructor(deps: CallSessionDeps) {
    this.#deps = deps;
    this.ice = new IceCredentials(() => {
      const room = this.room;
      return room ? deps.rooms.iceServers(room.id, this.#invite) : Promise.reject(unreachable());
    });
  }

  /** Listens to a server event on this call's socket (registered before `open`). */
  on<E extends keyof ServerToClientEvents>(event: E, handler: (payload: unknown) => void): void {
    this.#listeners.push([event, handler]);
  }

  /** Admission, socket, seat: resolves once seated (after `hooks.seated`), rejects with an ApiError. */
  async open(roomId: string, invite: string | undefined, callName?: string): Promise<void> {
    this.#invite = invite;
    this.#callName = callName;
    const admission = await this.#admit(roomId);
    this.room = roomInfo(admission.room);
    await this.#connect(admission.room.id);
    this.#seat(await this.#takeSeat(this.#ticketJoin(admission.ticket)), false);
  }

  request: SendRequest = (event, payload, timeoutMs) => {
    if (!this.#socket) return Promise.reject(new ApiError('NOT_IN_ROOM', 'Join a room first.'));
    return emitRequest(this.#socket, event, payload, timeoutMs);
  };

  /**
   * Fire and forget, for what a later message supersedes anyway (media state, descriptions, ICE
   * candidates): sent without an acknowledgement callback, so the server answers nothing and every
   * signal costs one frame less on the way through the gateway.
   */
  send<E extends UnacknowledgedEvent>(event: E, payload: EventPayload<E>): void {
    if (this.#socket) sendUnacknowledged(this.#socket, event, payload);
  }

  /** A signal's sequence number, so a resume asks only for what came after it. */
  noteSignalSeq(seq: number | undefined): void {
    if (seq !== undefined) this.#lastSignalSeq = Math.max(this.#lastSignalSeq ?? 0, seq);
  }

  /** Frees the seat at once (rather than when the socket goes); waits briefly for the server. */
  async leave(): Promise<void> {
    if (!this.#socket?.connected) return;
    try {
      await emitRequest(this.#socket, 'room:leave', {}, 3_000);
    } catch {
      // Leaving locally matters more; the server frees the seat when the socket goes anyway.
    }
  }

  /** The page is going away: tell the server without waiting for an answer. */
  leaveNow(): void {
    if (this.#resume) this.send('room:leave', {});
  }

  close(): void {
    this.ice.stop();
    this.#stopTokenUpdates?.();
    this.#stopTokenUpdates = null;
    const socket = this.#socket;
    this.#socket = null;
    socket?.removeAllListeners();
    socket?.disconnect();
    this.#connectWaiter?.reject(unreachable());
    this.#connectWaiter = null;
    this.#resume = null;
    this.#lastSignalSeq = undefined;
    this.connection = 'connected';
  }

  async #admit(roomId: string) {
    const admission = await this.#deps.rooms.join(roomId, this.#invite);
    this.ice.accept(admission.iceServers);
    this.videoUploadBudgetKbps = admission.videoUploadBudgetKbps;
    return admission;
  }

  #connect(roomId: string): Promise<void> {
    const socket = createSignalingSocket(() => this.#deps.tokens.freshToken(), roomId);
    this.#socket = socket;
    this.#watchConnection(socket);
    for (const [event, handler] of this.#listeners) (socket as unknown as { on(event: string, handler: (payload: unknown) => void): void }).on(event, handler);
    socket.on('session:expiring', (payload) => {
      const expiring = parseExpiring(payload);
      if (expiring) void this.#renewSocketSession(Date.parse(expiring.expiresAt));
    });
    this.#stopTokenUpdates = this.#deps.tokens.onToken((token) => {
      if (socket.connected) socket.emit('session:refresh', { token }, () => undefined);
    });
    const connected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#connectWaiter = null;
        reject(unreachable());
      }, CONNECT_TIMEOUT_MS);
      this.#connectWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
    socket.connect();
    return connected;
  }

  #watchConnection(socket: SignalingSocket): void {
    socket.on('connect', () => {
      this.#handshakeFailures = 0;
      this.#connectWaiter?.resolve();
      this.#connectWaiter = null;
      if (this.#resume) void this.#resumeSeat();
    });
    socket.on('connect_error', (error) => {
      // While `active`, Socket.IO retries by itself (transport trouble). Otherwise the server
      // refused the handshake: a fresh token may fix that, a few times at most.
      if (socket.active) return;
      this.#handshakeFailures += 1;
      if (this.#handshakeFailures > MAX_HANDSHAKE_RETRIES) {
        const refused = handshakeErrorCode(error) === 'UNAUTHORIZED' ? new ApiError('UNAUTHORIZED', 'Sign in to continue.') : unreachable();
        if (this.#connectWaiter) this.#connectWaiter.reject(refused);
        else if (this.#resume) this.#deps.hooks.lost(refused.code);
        return;
      }
      setTimeout(() => {
        if (this.#socket === socket) socket.connect();
      }, 1_000 * this.#handshakeFailures);
    });
    socket.on('disconnect', (reason) => {
      if (!this.#resume) return;
      this.connection = 'reconnecting';
      // After a server-side disconnect Socket.IO does not reconnect by itself.
      if (reason === 'io server disconnect') {
        setTimeout(() => {
          if (this.#socket === socket && this.#resume) socket.connect();
        }, 1_000);
      }
    });
  }

  #ticketJoin(ticket: string): JoinPayload {
    return this.#callName === undefined ? { ticket } : { ticket, name: this.#callName };
  }

  async #takeSeat(payload: JoinPayload): Promise<JoinResult> {
    const result = parseJoinResult(await this.request('room:join', payload));
    if (!result) throw new ApiError(ClientErrorCode.BAD_RESPONSE, 'The server answered unexpectedly.');
    return result;
  }

  #seat(result: JoinResult, afterReconnect: boolean): void {
    const sameSeat = this.selfPeerId === result.peerId;
    if (!sameSeat) this.#lastSignalSeq = undefined;
    this.selfPeerId = result.peerId;
    this.role = result.role;
    this.host = result.host;
    this.#resume = { roomId: result.room.id, peerId: result.peerId, resumeToken: result.resumeToken };
    if (this.room) this.room = { ...this.room, locked: result.room.locked, capacity: result.room.capacity, kind: result.room.kind };
    this.#deps.hooks.seated(result, { sameSeat, afterReconnect });
  }

  /** After a reconnect: take the same seat back, or a new one if it is gone. */
  async #resumeSeat(): Promise<void> {
    const resume = this.#resume;
    const room = this.room;
    if (!resume || !room) return;
    try {
      const lastSignalSeq = this.#lastSignalSeq;
      this.#seat(await this.#takeSeat({ resume: lastSignalSeq === undefined ? resume : { ...resume, lastSignalSeq } }), true);
      this.connection = 'connected';
      return;
    } catch (error) {
      const code = toApiError(error).code;
      if (code === 'ROOM_CLOSED') return this.#deps.hooks.lost(code);
    }
    try {
      const admission = await this.#admit(room.id);
      this.#seat(await this.#takeSeat(this.#ticketJoin(admission.ticket)), true);
      this.connection = 'connected';
    } catch (error) {
      this.#deps.hooks.lost(toApiError(error).code);
    }
  }

  async #renewSocketSession(expiresAtMs: number): Promise<void> {
    try {
      const token = await this.#deps.tokens.tokenOutliving(expiresAtMs);
      await this.request('session:refresh', { token });
    } catch {
      // A refused refresh ends the session (SessionManager reports it); a timeout is retried by the
      // server's next warning.
    }
  }
}

function unreachable(): ApiError {
  return new ApiError(ClientErrorCode.NETWORK, 'Cannot reach the call server.');
}

function roomInfo(room: Room): RoomInfo {
  return {
    id: room.id,
    name: room.name,
    kind: room.kind,
    capacity: room.capacity,
    locked: room.locked,
    visibility: room.visibility,
    ownerId: room.ownerId,
    inviteCode: room.inviteCode,
    guestAccess: room.guestAccess,
  };
}
