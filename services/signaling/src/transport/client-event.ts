import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import {
  ErrorCode,
  ackError,
  ackOk,
  clientEventPayloadSchemas,
  emptyPayloadSchema,
  type Ack,
  type ClientEventAckData,
  type ClientEventPayload,
  type ClientToServerEvents,
} from '@meshcall/shared';
import type { SignalingMetrics } from '../metrics.js';
import { toAckError } from './ack-errors.js';
import type { SignalingSocket } from '../types.js';

export type ClientEventName = keyof ClientToServerEvents;

/** Handed to a handler: work to run right after the acknowledgement went out (replays after a resume). */
export interface HandlerTools {
  afterAck(work: () => void): void;
}

type AckFn = (response: Ack<unknown>) => void;

/** Splits Socket.IO listener arguments into the payload and the acknowledgement callback, if any. */
export function splitArgs(args: unknown[]): { payload: unknown; ack: AckFn | undefined } {
  const last = args[args.length - 1];
  const ack = typeof last === 'function' ? (last as AckFn) : undefined;
  return { payload: ack && args.length === 1 ? undefined : args[0], ack };
}

/** Where the router reports failures. */
export interface ClientEventDeps {
  logger: FastifyBaseLogger;
  metrics: Pick<SignalingMetrics, 'reject'>;
}

/**
 * Handles one client event for any socket of the replica: the payload and the ack data it deals
 * in are the shared event map's for that event.
 */
export type ClientEventHandler<E extends ClientEventName> = (
  socket: SignalingSocket,
  payload: ClientEventPayload<E>,
  tools: HandlerTools,
) => Promise<ClientEventAckData<E>>;

type DisconnectHandler = (socket: SignalingSocket, reason: string) => void;
type Route = (socket: SignalingSocket, args: unknown[]) => Promise<void>;

/** A disconnect listener for any socket: Socket.IO calls it on the socket that went. */
function announceDisconnectTo(handlers: readonly DisconnectHandler[]) {
  return function announceDisconnect(this: SignalingSocket, reason: string): void {
    for (const handler of handlers) handler(this, reason);
  };
}

/**
 * The replica's client events: each behaviour registers its handlers once, at start, and every
 * incoming event is dispatched here with its socket (event-guard.ts does it, after the rate
 * budget). Registering per socket instead gave every idle connection a listener and its closures
 * for each of the protocol's events, about 5 KiB of heap per socket (bench/README, "memory per
 * idle connection"); now a socket holds one middleware, and shares its disconnect listener with
 * every other socket.
 */
export class ClientEventRouter {
  readonly #routes = new Map<string, Route>();
  readonly #disconnectHandlers: DisconnectHandler[] = [];
  /** One listener shared by every socket, rather than a closure per connection. */
  readonly #announceDisconnect = announceDisconnectTo(this.#disconnectHandlers);

  constructor(private readonly deps: ClientEventDeps) {}

  /** Registers the handler of `event`; one per event. */
  on<E extends ClientEventName>(event: E, handler: ClientEventHandler<E>): void {
    if (this.#routes.has(event)) throw new Error(`client event ${event} has a handler already`);
    this.#routes.set(event, answering(this.deps, event, handler));
  }

  /** Runs `handler` for every socket that goes, after the connection closed. */
  onDisconnect(handler: DisconnectHandler): void {
    this.#disconnectHandlers.push(handler);
  }

  /** Fails at start if an event of the protocol has no handler (it would never be answered). */
  requireHandlersFor(events: readonly string[]): void {
    const missing = events.filter((event) => !this.#routes.has(event));
    if (missing.length > 0) throw new Error(`client events without a handler: ${missing.join(', ')}`);
  }

  /** Hands a socket's event (arguments as Socket.IO delivers them, ack last) to its handler. */
  dispatch(socket: SignalingSocket, event: string, args: unknown[]): void {
    void this.#routes.get(event)?.(socket, args);
  }

  /** Wires a new socket's disconnect to the handlers. */
  attach(socket: SignalingSocket): void {
    socket.on('disconnect', this.#announceDisconnect);
  }
}

/**
 * One event's route: validates the payload with the event's shared schema, runs the handler, and
 * answers with exactly one acknowledgement. Errors become typed codes; internal ones are logged
 * and reach the client as INTERNAL. An event whose payload is empty (`room:leave`, `game:reset`)
 * may come with the acknowledgement alone.
 */
function answering<E extends ClientEventName>(deps: ClientEventDeps, event: E, handler: ClientEventHandler<E>): Route {
  const schema: z.ZodType = clientEventPayloadSchemas[event];
  const payloadMayBeOmitted = schema === emptyPayloadSchema;
  return async (socket, args) => {
    const { payload, ack } = splitArgs(args);
    const deferred: Array<() => void> = [];
    let response: Ack<unknown>;
    try {
      const parsed = schema.safeParse(payload === undefined && payloadMayBeOmitted ? {} : payload);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
        response = ackError(ErrorCode.INVALID_PAYLOAD, `Invalid ${event} payload${first ? ` (${where}${first.message})` : ''}.`);
      } else {
        response = ackOk(
          // TypeScript cannot follow the generic event name into the schema map, so it is said here.
          await handler(socket, parsed.data as ClientEventPayload<E>, { afterAck: (work) => deferred.push(work) }),
        );
      }
    } catch (error) {
      const { internal, ...publicError } = toAckError(error);
      if (internal) deps.logger.error({ err: error, event, socketId: socket.id }, 'socket event failed');
      else if (publicError.code === ErrorCode.UNAVAILABLE) deps.logger.warn({ err: error, event, socketId: socket.id }, 'dependency unavailable');
      response = { ok: false, error: publicError };
    }
    if (!response.ok) deps.metrics.reject(response.error.code);
    ack?.(response);
    for (const work of deferred) work();
  };
}
