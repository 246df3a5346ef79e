import { ClientEvent, ErrorCode, ackError } from '@meshcall/shared';
import type { SignalingContext } from '../context.js';
import type { SignalingSocket } from '../types.js';
import { splitArgs } from './client-event.js';

const knownEvents = new Set<string>(Object.values(ClientEvent));

/**
 * Events outside the protocol are refused with INVALID_PAYLOAD (when the sender asked for an
 * acknowledgement) and counted against the socket's rate budget like any other event.
 */
export function rejectUnknownEvents(ctx: SignalingContext, socket: SignalingSocket): void {
  socket.onAny((event: unknown, ...args: unknown[]) => {
    if (typeof event === 'string' && knownEvents.has(event)) return;
    const { ack } = splitArgs(args);
    void ctx.rateLimiter.tryConsume(socket.id).then((allowed) => {
      const code = allowed ? ErrorCode.INVALID_PAYLOAD : ErrorCode.RATE_LIMITED;
      ctx.metrics.reject(code);
      ack?.(ackError(code, allowed ? `Unknown event '${String(event).slice(0, 64)}'.` : 'Too many events; slow down.'));
    });
  });
}
