import {
  serverEventPayloadSchemas,
  type ClientEventAckData,
  type ClientToServerEvents,
  type IceCandidate,
  type JoinResult,
  type KnockOutcome,
  type ServerEventPayload,
  type ServerToClientEvents,
  type SessionDescription,
  type UnacknowledgedEvent,
} from '@meshcall/shared';
import type { z } from 'zod';
import { ClientErrorCode, MeshcallError, errorFromHandshake } from '../errors.js';
import { DEFAULT_ACK_TIMEOUT_MS, request, sendUnacknowledged, type ClientEventInput } from './requests.js';
import { openSignalingSocket, type SignalingSocket, type SignalingSocketOptions } from './socket.js';

/** How to connect to signaling. */
export interface SignalingConnectionOptions extends Omit<SignalingSocketOptions, 'accessToken' | 'autoConnect'> {
  /** A valid access token for each (re)connection (AccessTokens.get). */
  accessToken: () => Promise<string>;
  /**
   * A newly refreshed access token, asked for when the server says the current one expires soon
   * (`session:expiring`); it is handed over with `session:refresh` so the socket stays up.
   * Without it the socket is dropped at expiry, and reconnects and resumes with `accessToken`.
   */
  refreshedAccessToken?: () => Promise<string>;
  /** How long requests wait for their acknowledgement (default 10 s). */
  ackTimeoutMs?: number;
}

/** What the connection itself reports, next to the server's events. */
export interface ConnectionEvents {
  /** The connection dropped (Socket.IO's reason); with reconnection on, it is being re-established. */
  disconnected: (reason: string) => void;
  /** Reconnected and took the same seat back; with `resync: true`, renegotiate with every peer (ICE restart). */
  resumed: (result: JoinResult) => void;
  /**
   * The seat is gone: the resume was refused (TICKET_INVALID once the resume window passed) or
   * the server refused the reconnection. Join again with a new ticket to get back in.
   */
  'seat-lost': (error: MeshcallError) => void;
  /** The server took a fresh access token (`session:refresh`) after warning of expiry; the socket stays up until `expiresAt`. */
  'session-refreshed': (expiresAt: string) => void;
  /** A server event failed its shared schema and was dropped before any listener saw it. */
  'invalid-event': (event: string, payload: unknown) => void;
}

/** A description or a candidate for one peer: the body of `signal` without `to`. */
export type SignalContent = { description: SessionDescription } | { candidate: IceCandidate | null };

type Listener = (...args: never[]) => void;

/**
 * One participant's connection to signaling: typed requests whose acknowledgements resolve with
 * their data or throw a MeshcallError carrying the server's reason code, server events checked
 * against their shared schemas, and a seat that survives a dropped connection: the socket
 * reconnects, `room:join { resume }` takes the same seat back, and the signals sent to it meanwhile
 * are replayed once, in order (the client keeps the highest `seq` it saw for that). Requests made
 * while the seat is being resumed wait for it.
 */
export class SignalingConnection {
  /** The Socket.IO socket underneath: for measuring or testing the wire itself, not for normal use. */
  readonly socket: SignalingSocket;
  readonly #options: SignalingConnectionOptions;
  readonly #connectionListeners = new Map<keyof ConnectionEvents, Set<Listener>>();
  #seat: JoinResult | undefined;
  /** Settles the waiting `knock` as cancelled. */
  #endKnockWait: (() => void) | undefined;
  #lastSignalSeq: number | undefined;
  /** Settled while the seat (if any) is usable; replaced by a pending one while resuming. */
  #ready: Promise<void> = Promise.resolve();
  #markReady: () => void = () => undefined;
  /** True while #ready is pending: `send` then waits instead of emitting at once. */
  #resuming = false;

  private constructor(options: SignalingConnectionOptions) {
    this.#options = options;
    this.socket = openSignalingSocket({ ...options, autoConnect: false });
    this.#followSignalSeq();
    this.#keepSessionAlive();
    this.#resumeAfterReconnect();
    this.#forgetSeatWhenRemoved();
    this.#followHost();
  }

  /**
   * Connects and resolves once the handshake is accepted. Rejects with the server's code
   * (UNAUTHORIZED, FORBIDDEN for a foreign Origin, UNAVAILABLE) when it refuses the handshake, or
   * with TIMEOUT when no connection could be made within `connectTimeoutMs` (10 s by default).
   */
  static async connect(options: SignalingConnectionOptions): Promise<SignalingConnection> {
    const connection = new SignalingConnection(options);
    await connection.#firstConnection(options.connectTimeoutMs ?? 10_000);
    return connection;
  }

  /** The seat taken by `join` (kept current across resumes), or undefined when not seated. */
  get seat(): JoinResult | undefined {
    return this.#seat;
  }

  /** This participant's peer id in the room; throws when not seated. */
  get peerId(): string {
    if (!this.#seat) throw new MeshcallError('NOT_IN_ROOM', 'Join a room first.');
    return this.#seat.peerId;
  }

  /**
   * Whether this participant moderates the room now (kick, lock, ask to mute, end the call): the
   * owner while seated, or whom moderation passed to when the host left (`room:host`).
   */
  get isHost(): boolean {
    return this.#seat !== undefined && this.#seat.host === this.#seat.peerId;
  }

  /** The highest `signal.seq` received: what a resume tells the server was already delivered. */
  get lastSignalSeq(): number | undefined {
    return this.#lastSignalSeq;
  }

  /** Whether the socket is connected right now. */
  get connected(): boolean {
    return this.socket.connected;
  }

  /**
   * Listens to a server event. The payload reaches the listener only after its schema in
   * serverEventPayloadSchemas accepted it; anything else is reported as `invalid-event`.
   * Returns a function that removes the listener.
   */
  on<E extends keyof ServerToClientEvents>(event: E, listener: (payload: ServerEventPayload<E>) => void): () => void {
    const schema = serverEventPayloadSchemas[event] as unknown as z.ZodType<ServerEventPayload<E>>;
    const checked = (payload: unknown) => {
      const parsed = schema.safeParse(payload);
      if (parsed.success) listener(parsed.data);
      else this.#emitConnection('invalid-event', event, payload);
    };
    const untyped = this.socket as unknown as { on(event: string, listener: (payload: unknown) => void): void; off(event: string, listener: (payload: unknown) => void): void };
    untyped.on(event, checked);
    return () => untyped.off(event, checked);
  }

  /** Listens to what the connection itself reports (drops, resumes, a lost seat). Returns the remover. */
  onConnection<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): () => void {
    let listeners = this.#connectionListeners.get(event);
    if (!listeners) this.#connectionListeners.set(event, (listeners = new Set()));
    listeners.add(listener as Listener);
    return () => listeners.delete(listener as Listener);
  }

  /**
   * The next server event of that name matching `predicate`, or a TIMEOUT MeshcallError after
   * `timeoutMs` (default: the ack timeout). Only events from now on count.
   */
  next<E extends keyof ServerToClientEvents>(
    event: E,
    options: { predicate?: (payload: ServerEventPayload<E>) => boolean; timeoutMs?: number } = {},
  ): Promise<ServerEventPayload<E>> {
    const timeoutMs = options.timeoutMs ?? this.#ackTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new MeshcallError(ClientErrorCode.TIMEOUT, `No '${event}' within ${timeoutMs} ms.`));
      }, timeoutMs);
      const off = this.on(event, (payload) => {
        if (options.predicate && !options.predicate(payload)) return;
        clearTimeout(timer);
        off();
        resolve(payload);
      });
    });
  }

  /**
   * Sends a client event and resolves with its acknowledgement's data, or throws a MeshcallError
   * with the server's code. While a dropped connection is being resumed, waits for the resume
   * first (within the ack timeout).
   */
  async request<E extends keyof ClientToServerEvents>(event: E, payload: ClientEventInput<E>): Promise<ClientEventAckData<E>> {
    await this.#whenReady();
    return request(this.socket, event, payload, this.#ackTimeoutMs);
  }

  /**
   * Takes a seat with a join ticket from `RoomsApi.join`. The result names the peers already there,
   * the chat, the game; the seat is kept for resuming after a dropped connection. `options.name`
   * is the name others see in this call only (the account's name when absent); the server holds
   * it to the display name rules (`displayNameSchema`) and keeps it with the seat across resumes.
   */
  async join(ticket: string, options: { name?: string } = {}): Promise<JoinResult> {
    const result = await this.request('room:join', options.name === undefined ? { ticket } : { ticket, name: options.name });
    this.#seat = result;
    this.#lastSignalSeq = undefined;
    return result;
  }

  /**
   * Asks the host of a locked room to let this account in, with a ticket from
   * `RoomsApi.join(roomId, invite, { knock: true })`, and resolves with how it ended: `admitted`
   * (take a fresh ticket from `RoomsApi.join` and `join` within a minute), `declined`, `timeout`,
   * or `cancelled` by `cancelKnock()`.
   * Refused at once with NO_HOST, BANNED, RATE_LIMITED (asked again too soon) and the like.
   */
  async knock(ticket: string): Promise<KnockOutcome | 'cancelled'> {
    const result = new Promise<KnockOutcome | 'cancelled'>((resolve) => {
      const settle = (outcome: KnockOutcome | 'cancelled') => {
        off();
        this.#endKnockWait = undefined;
        resolve(outcome);
      };
      const off = this.on('room:knock-result', ({ outcome }) => settle(outcome));
      this.#endKnockWait = () => settle('cancelled');
    });
    try {
      await this.request('room:knock', { ticket });
    } catch (error) {
      this.#endKnockWait?.();
      throw error;
    }
    return result;
  }

  /** Takes back the waiting knock (KNOCK_NOT_FOUND if none waits); `knock` then resolves `cancelled`. */
  async cancelKnock(): Promise<void> {
    await this.request('room:knock-cancel', {});
    this.#endKnockWait?.();
  }

  /** Host: admit a knock (`room:knock-request`) or decline it. */
  async answerKnock(knockId: string, admit: boolean): Promise<void> {
    await this.request('room:answer-knock', { knockId, admit });
  }

  /**
   * Relays a description or candidate to one peer of the room and resolves once signaling has
   * stored it (PEER_NOT_FOUND if the peer is not there). `send('signal', …)` does the same
   * without waiting for, or being told, the outcome.
   */
  async signal(to: string, content: SignalContent): Promise<void> {
    await this.request('signal', { to, ...content });
  }

  /**
   * Fire and forget, for `signal`, `media:state` and `room:leave`: sent without an acknowledgement
   * callback, so the server answers nothing, not even a refusal (a candidate for a peer that just
   * left is dropped unseen), and each message costs a frame less. The web app sends descriptions,
   * candidates and media state so, since a later message supersedes a lost one. While a dropped
   * connection is being resumed the message waits for the resume, and is dropped if that takes
   * longer than the ack timeout.
   */
  send<E extends UnacknowledgedEvent>(event: E, payload: ClientEventInput<E>): void {
    const emit = () => sendUnacknowledged(this.socket, event, payload);
    if (!this.#resuming) emit();
    else this.#whenReady().then(emit, () => undefined);
  }

  /** Leaves the room and frees the seat at once (others hear `peer:left { reason: 'left' }`). */
  async leave(): Promise<void> {
    await this.request('room:leave', {});
    this.#seat = undefined;
  }

  /**
   * Connects again after the server closed the connection on purpose (Socket.IO retries only
   * drops it did not ask for); a held seat is resumed as after any reconnect.
   */
  reconnect(): void {
    if (!this.socket.connected) this.socket.connect();
  }

  /**
   * Closes the connection without leaving: the seat stays held for the resume window, as after a
   * crash. Call `leave()` first to free it.
   */
  close(): void {
    this.#seat = undefined;
    this.socket.close();
  }

  get #ackTimeoutMs(): number {
    return this.#options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
  }

  #firstConnection(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (error: MeshcallError) => {
        clearTimeout(timer);
        this.socket.off('connect', succeed);
        this.socket.off('connect_error', refused);
        this.socket.close();
        reject(error);
      };
      const succeed = () => {
        clearTimeout(timer);
        this.socket.off('connect_error', refused);
        resolve();
      };
      // A refusal by the server stops Socket.IO's retries (`active` false); a network failure does not.
      const refused = (error: Error & { data?: unknown }) => {
        if (!this.socket.active) fail(errorFromHandshake(error));
      };
      const timer = setTimeout(() => fail(new MeshcallError(ClientErrorCode.TIMEOUT, `Could not connect to signaling within ${timeoutMs} ms.`)), timeoutMs);
      this.socket.once('connect', succeed);
      this.socket.on('connect_error', refused);
      this.socket.connect();
    });
  }

  #followSignalSeq(): void {
    this.socket.on('signal', (message) => {
      if (typeof message?.seq === 'number' && Number.isInteger(message.seq)) this.#lastSignalSeq = Math.max(this.#lastSignalSeq ?? 0, message.seq);
    });
  }

  /** Hands over a fresh token when the server warns that the current one expires. */
  #keepSessionAlive(): void {
    const refreshed = this.#options.refreshedAccessToken;
    if (!refreshed) return;
    this.on('session:expiring', () => {
      refreshed()
        .then((token) => request(this.socket, 'session:refresh', { token }, this.#ackTimeoutMs))
        .then(({ expiresAt }) => this.#emitConnection('session-refreshed', expiresAt))
        // A failed hand-over ends in the server dropping the socket at expiry; the reconnect and
        // resume path then takes over with a token fetched for the handshake.
        .catch(() => undefined);
    });
  }

  #resumeAfterReconnect(): void {
    this.socket.on('disconnect', (reason) => {
      if (this.#seat) {
        this.#resuming = true;
        this.#ready = new Promise((resolve) => {
          this.#markReady = () => {
            this.#resuming = false;
            resolve();
          };
        });
      }
      // 'io server disconnect' (signed out, token expired, the seat resumed by another socket) is
      // not retried by Socket.IO, and rightly: reconnecting could take the seat back from a newer
      // socket of the same participant. `reconnect()` is the caller's decision.
      this.#emitConnection('disconnected', reason);
    });
    this.socket.on('connect_error', (error) => {
      // Refused on reconnection (the session was signed out): no retry will help.
      if (this.socket.active || !this.#seat) return;
      this.#loseSeat(errorFromHandshake(error));
    });
    this.socket.on('connect', () => {
      const seat = this.#seat;
      // The seat ended while the connection was down (kicked, closed): nothing to wait for.
      if (!seat) return this.#markReady();
      const resume = {
        roomId: seat.room.id,
        peerId: seat.peerId,
        resumeToken: seat.resumeToken,
        ...(this.#lastSignalSeq === undefined ? {} : { lastSignalSeq: this.#lastSignalSeq }),
      };
      request(this.socket, 'room:join', { resume }, this.#ackTimeoutMs).then(
        (result) => {
          this.#seat = result;
          this.#markReady();
          this.#emitConnection('resumed', result);
        },
        (error: unknown) => this.#loseSeat(error instanceof MeshcallError ? error : new MeshcallError(ClientErrorCode.BAD_RESPONSE, 'The resume failed.')),
      );
    });
  }

  /** The server ended the seat itself: there is nothing to resume any more. */
  #forgetSeatWhenRemoved(): void {
    const forget = () => {
      this.#seat = undefined;
      this.#markReady();
    };
    this.socket.on('room:kicked', forget);
    this.socket.on('room:closed', forget);
    this.socket.on('room:ended', forget);
    this.socket.on('room:joined-elsewhere', forget);
  }

  /** Keeps `seat.host` current, so `isHost` follows a handover. */
  #followHost(): void {
    this.on('room:host', ({ peerId }) => {
      if (this.#seat) this.#seat = { ...this.#seat, host: peerId };
    });
  }

  #loseSeat(error: MeshcallError): void {
    this.#seat = undefined;
    this.#markReady();
    this.#emitConnection('seat-lost', error);
  }

  async #whenReady(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new MeshcallError(ClientErrorCode.TIMEOUT, 'The connection to signaling was not back in time.')), this.#ackTimeoutMs);
    });
    try {
      await Promise.race([this.#ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #emitConnection<E extends keyof ConnectionEvents>(event: E, ...args: Parameters<ConnectionEvents[E]>): void {
    for (const listener of this.#connectionListeners.get(event) ?? []) (listener as unknown as (...values: Parameters<ConnectionEvents[E]>) => void)(...args);
  }
}
