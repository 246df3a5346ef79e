import { openSignalingSocket, rawRequest, type SignalingSocket } from '@meshcall/client';
import { serverEventPayloadSchemas, type Ack, type ClientEventAckData, type ClientToServerEvents, type ErrorCode, type JoinResult, type ServerToClientEvents } from '@meshcall/shared';

/**
 * A bare typed socket from @meshcall/client. The scenarios fault the stack under it and check
 * each step of the protocol themselves (when a socket drops, which engine session survives, a
 * resume by hand), so they take the wire below SignalingConnection, whose own resume is tested
 * in packages/client.
 */
export type CallSocket = SignalingSocket;

/** How long a scenario waits for something that should happen promptly before calling it missing. */
export const EVENT_TIMEOUT_MS = 10_000;

/** Every event of the shared contract, so a new one is recorded without touching this list. */
export const ALL_SERVER_EVENTS = Object.keys(serverEventPayloadSchemas) as Array<keyof ServerToClientEvents>;

/**
 * Connects through the gateway the way the web client does: WebSocket only, the access token in
 * `auth`, and the Origin a browser on the gateway's page sends. Reconnection is the scenario's job.
 */
export async function connectSocket(
  gatewayUrl: string,
  token: string,
  beforeConnect?: (socket: CallSocket) => void,
  options: { roomId?: string; timeoutMs?: number } = {},
): Promise<CallSocket> {
  const timeoutMs = options.timeoutMs ?? EVENT_TIMEOUT_MS;
  const socket = openSignalingSocket({
    url: gatewayUrl,
    // The web client names its room so the gateway places a room's sockets together; without it, least_conn.
    ...(options.roomId === undefined ? {} : { roomId: options.roomId }),
    accessToken: token,
    reconnection: false,
    origin: gatewayUrl,
  });
  // Listeners go on before connecting: the server may emit right after the handshake.
  beforeConnect?.(socket);
  socket.connect();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`socket did not connect within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
  });
  return socket;
}

type EventName = keyof ClientToServerEvents;
type PayloadOf<E extends EventName> = Parameters<ClientToServerEvents[E]>[0];
type ResultOf<E extends EventName> = Ack<ClientEventAckData<E>>;

/** Emits a client event and waits (bounded) for its acknowledgement. */
export async function request<E extends EventName>(socket: CallSocket, event: E, payload: PayloadOf<E>, timeoutMs = EVENT_TIMEOUT_MS): Promise<ResultOf<E>> {
  return (await rawRequest(socket, event, [payload], timeoutMs)) as ResultOf<E>;
}

/** Unwraps a successful acknowledgement or fails with the error it carried. */
export function dataOf<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`expected success, got ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

export function errorCodeOf(ack: Ack<unknown>): ErrorCode | undefined {
  return ack.ok ? undefined : ack.error.code;
}

type ServerEventName = keyof ServerToClientEvents;
type ServerPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];

/**
 * Records every server event a socket receives from the moment it is created, so a scenario can
 * wait for one that matches or count afterwards (no duplicates, nothing missing). Each payload is
 * parsed with its shared schema (serverEventPayloadSchemas): a scenario waiting on a log that
 * heard an event off the contract fails.
 */
export class EventLog {
  readonly events: Array<{ name: ServerEventName; payload: unknown }> = [];
  /** Events whose payload its shared schema refused, described for the failure message. */
  readonly offContract: string[] = [];
  private waiters: Array<() => void> = [];

  constructor(socket: CallSocket) {
    this.follow(socket);
  }

  /** Records this socket's events too; also used to carry a log over to the socket that replaces a dropped one. */
  follow(socket: CallSocket): void {
    for (const name of ALL_SERVER_EVENTS) {
      (socket as unknown as { on(event: string, listener: (payload: unknown) => void): void }).on(name, (payload) => this.record(name, payload));
    }
  }

  of<N extends ServerEventName>(name: N): Array<ServerPayload<N>> {
    return this.events.filter((event) => event.name === name).map((event) => event.payload as ServerPayload<N>);
  }

  async waitFor<N extends ServerEventName>(name: N, predicate: (payload: ServerPayload<N>) => boolean = () => true, timeoutMs = EVENT_TIMEOUT_MS): Promise<ServerPayload<N>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.offContract.length > 0) throw new Error(`server events off the shared contract: ${this.offContract.join('; ')}`);
      const found = this.of(name).find(predicate);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${name}' event matched within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private record(name: ServerEventName, payload: unknown): void {
    const parsed = serverEventPayloadSchemas[name].safeParse(payload);
    if (!parsed.success) this.offContract.push(`'${name}' ${JSON.stringify(payload)}: ${parsed.error.message}`);
    this.events.push({ name, payload });
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** Resolves with the disconnect reason, or fails if the socket is still connected after `timeoutMs`. */
export async function disconnection(socket: CallSocket, timeoutMs = EVENT_TIMEOUT_MS): Promise<string> {
  if (socket.disconnected) return 'already disconnected';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** A user's connection to a call: the socket, everything it heard, and its seat once joined. */
export class CallParticipant {
  socket: CallSocket;
  readonly log: EventLog;
  joined: JoinResult | undefined;
  /** Highest `signal.seq` received: what a resume tells the server was already delivered. */
  lastSignalSeq: number | undefined;

  private constructor(socket: CallSocket) {
    this.socket = socket;
    this.log = new EventLog(socket);
    this.trackSignalSeq(socket);
  }

  static async connect(gatewayUrl: string, token: string, options: { roomId?: string } = {}): Promise<CallParticipant> {
    let participant: CallParticipant | undefined;
    await connectSocket(gatewayUrl, token, (socket) => (participant = new CallParticipant(socket)), options);
    return participant as CallParticipant;
  }

  get peerId(): string {
    if (!this.joined) throw new Error('not seated');
    return this.joined.peerId;
  }

  async join(ticket: string): Promise<Ack<JoinResult>> {
    const ack = await request(this.socket, 'room:join', { ticket });
    if (ack.ok) this.joined = ack.data;
    return ack;
  }

  /** Reconnects on a new socket and takes the same seat back with the resume token. */
  async resume(gatewayUrl: string, token: string): Promise<Ack<JoinResult>> {
    const seat = this.joined;
    if (!seat) throw new Error('nothing to resume: never joined');
    this.socket.close();
    this.socket = await connectSocket(gatewayUrl, token, (socket) => {
      this.log.follow(socket);
      this.trackSignalSeq(socket);
    });
    const resume = { roomId: seat.room.id, peerId: seat.peerId, resumeToken: seat.resumeToken, ...(this.lastSignalSeq === undefined ? {} : { lastSignalSeq: this.lastSignalSeq }) };
    const ack = await request(this.socket, 'room:join', { resume });
    if (ack.ok) this.joined = ack.data;
    return ack;
  }

  close(): void {
    this.socket.close();
  }

  private trackSignalSeq(socket: CallSocket): void {
    socket.on('signal', (message) => {
      if (message.seq !== undefined) this.lastSignalSeq = Math.max(this.lastSignalSeq ?? 0, message.seq);
    });
  }
}
