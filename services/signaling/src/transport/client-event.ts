import type { z } from 'zod';
import { ErrorCode, ackError, ackOk, type Ack, type ClientToServerEvents } from '@meshcall/shared';
import { toAckError } from './ack-errors.js';
import type { SignalingContext } from '../context.js';
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

/**
 * Registers one client event (the rate budget was spent in event-guard.ts): validates the payload
 * with its shared schema, runs the handler, and answers with exactly one acknowledgement. Errors
 * become typed codes; internal ones are logged and reach the client as INTERNAL.
 */
export function onClientEvent<S extends z.ZodType, R>(
  ctx: SignalingContext,
  socket: SignalingSocket,
  event: ClientEventName,
  schema: S,
  handler: (payload: z.infer<S>, tools: HandlerTools) => Promise<R>,
  options: { emptyPayloadAllowed?: boolean } = {},
): void {
  const listener = async (...args: unknown[]) => {
    const { payload, ack } = splitArgs(args);
    const deferred: Array<() => void> = [];
    let response: Ack<unknown>;
    try {
      const parsed = schema.safeParse(payload === undefined && options.emptyPayloadAllowed ? {} : payload);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
        response = ackError(ErrorCode.INVALID_PAYLOAD, `Invalid ${event} payload${first ? ` (${where}${first.message})` : ''}.`);
      } else {
        response = ackOk(await handler(parsed.data, { afterAck: (work) => deferred.push(work) }));
      }
    } catch (error) {
      const { internal, ...publicError } = toAckError(error);
      if (internal) ctx.logger.error({ err: error, event, socketId: socket.id }, 'socket event failed');
      else if (publicError.code === ErrorCode.UNAVAILABLE) ctx.logger.warn({ err: error, event, socketId: socket.id }, 'dependency unavailable');
      response = { ok: false, error: publicError };
    }
    if (!response.ok) ctx.metrics.reject(response.error.code);
    ack?.(response);
    for (const work of deferred) work();
  };
  (socket as unknown as { on(event: string, listener: (...args: unknown[]) => void): void }).on(event, (...args) => void listener(...args));
}
