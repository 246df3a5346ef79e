import { handshakeRefusalCode, openSignalingSocket, rawRequest, type SignalingSocket } from '@meshcall/client';
import { serverEventPayloadSchemas, type Ack, type ClientEventAckData, type ClientToServerEvents, type ErrorCode, type ServerToClientEvents } from '@meshcall/shared';
import { TEST_ORIGIN } from './replicas.js';

/**
 * A bare typed socket from @meshcall/client: these tests drive the protocol step by step (raw
 * acks, malformed payloads, a crash mid-call), so they take the wire below SignalingConnection.
 */
export type TestSocket = SignalingSocket;

/** How long a test waits for something that should happen promptly before calling it missing. */
export const EVENT_TIMEOUT_MS = 5_000;

export interface ConnectOptions {
  origin?: string | undefined;
  /**
   * Called with the socket before it connects: listeners for what the server sends right after the
   * handshake must be there before 'connect', or a packet that arrives with it is missed.
   */
  beforeConnect?: (socket: TestSocket) => void;
}

/** Connects the way the web client does (WebSocket only, token in `auth`) and resolves once connected. */
export async function connect(url: string, token: string | undefined, options: ConnectOptions = { origin: TEST_ORIGIN }): Promise<TestSocket> {
  const socket = openSignalingSocket({
    url,
    // Without a token the handshake carries none, which the server must refuse.
    accessToken: token ?? (() => Promise.reject(new Error('no token'))),
    reconnection: false,
    ...(options.origin ? { origin: options.origin } : {}),
  });
  options.beforeConnect?.(socket);
  socket.connect();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), EVENT_TIMEOUT_MS);
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

/** The typed error a refused handshake carries, or undefined if it carried none. */
export async function refusedHandshake(url: string, token: string | undefined, options?: ConnectOptions): Promise<{ message: string; code: ErrorCode | undefined }> {
  try {
    const socket = await connect(url, token, options);
    socket.close();
  } catch (error) {
    return { message: (error as Error).message, code: handshakeRefusalCode(error as Error & { data?: unknown }) };
  }
  throw new Error('the handshake was accepted');
}

type EventName = keyof ClientToServerEvents;
type PayloadOf<E extends EventName> = Parameters<ClientToServerEvents[E]>[0];
type ResultOf<E extends EventName> = Ack<ClientEventAckData<E>>;

/** Emits a client event and waits for its acknowledgement. */
export async function request<E extends EventName>(socket: TestSocket, event: E, payload: PayloadOf<E>): Promise<ResultOf<E>> {
  return (await rawRequest(socket, event, [payload], EVENT_TIMEOUT_MS)) as ResultOf<E>;
}

/** Emits anything (unknown events, malformed payloads) and waits for the acknowledgement. */
export async function requestRaw(socket: TestSocket, event: string, ...args: unknown[]): Promise<Ack<unknown>> {
  return (await rawRequest(socket, event, args, EVENT_TIMEOUT_MS)) as Ack<unknown>;
}

/** Unwraps a successful acknowledgement or fails the test with the error it carried. */
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
 * Records every occurrence of some server events from the moment it is created, so a test can
 * wait for one that matches or check afterwards that something never arrived. Every payload is
 * parsed with its shared schema (serverEventPayloadSchemas), the one clients check server events
 * against: an event the server sends off contract fails the test that waits on that log.
 */
export class EventLog<E extends ServerEventName> {
  readonly events: Array<{ name: E; payload: ServerPayload<E> }> = [];
  /** Events whose payload its shared schema refused, described for the failure message. */
  readonly offContract: string[] = [];
  private waiters: Array<() => void> = [];

  constructor(socket: TestSocket, names: E[]) {
    for (const name of names) {
      (socket as unknown as { on(event: string, listener: (payload: unknown) => void): void }).on(name, (payload) => {
        const parsed = serverEventPayloadSchemas[name].safeParse(payload);
        if (!parsed.success) this.offContract.push(`'${name}' ${JSON.stringify(payload)}: ${parsed.error.message}`);
        this.events.push({ name, payload: payload as ServerPayload<E> });
        for (const wake of this.waiters.splice(0)) wake();
      });
    }
  }

  of<N extends E>(name: N): Array<ServerPayload<N>> {
    return this.events.filter((event) => event.name === name).map((event) => event.payload as ServerPayload<N>);
  }

  /** Resolves with the first recorded (or future) event of that name matching the predicate. */
  async waitFor<N extends E>(name: N, predicate: (payload: ServerPayload<N>) => boolean = () => true, timeoutMs = EVENT_TIMEOUT_MS): Promise<ServerPayload<N>> {
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
}

/** Waits until the socket is disconnected by the server and returns the reason. */
export async function disconnection(socket: TestSocket, timeoutMs = EVENT_TIMEOUT_MS): Promise<string> {
  if (socket.disconnected) return 'already disconnected';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}
