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

/** Where onClientEvent reports failures. */
export interface ClientEventDeps {
  logger: FastifyBaseLogger;
  metrics: Pick<SignalingMetrics, 'reject'>;
}

/**
 * Registers one client event (the rate budget was spent in event-guard.ts): validates the payload
 * with the event's shared schema, runs the handler, and answers with exactly one acknowledgement.
 * The payload and the ack data the handler deals in are the shared event map's for that event.
 * Errors become typed codes; internal ones are logged and reach the client as INTERNAL. An event
 * whose payload is empty (`room:leave`, `game:reset`) may come with the acknowledgement alone.
 */
export function onClientEvent<E extends ClientEventName>(
  deps: ClientEventDeps,
  socket: SignalingSocket,
  event: E,
  handler: (payload: ClientEventPayload<E>, tools: HandlerTools) => Promise<ClientEventAckData<E>>,
): void {
  const schema: z.ZodType = clientEventPayloadSchemas[event];
  const payloadMayBeOmitted = schema === emptyPayloadSchema;
  const listener = async (...args: unknown[]) => {
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
          await handler(parsed.data as ClientEventPayload<E>, { afterAck: (work) => deferred.push(work) }),
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
  // What arrives is untrusted and checked against the schema above, so the listener takes unknown
  // arguments rather than the ones the map promises.
  const untrustedListener = (...args: unknown[]) => void listener(...args);
  socket.on<ClientEventName>(event, untrustedListener);
}
