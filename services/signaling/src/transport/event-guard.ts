import { ClientEvent, ErrorCode, ackError } from '@meshcall/shared';
import type { SignalingMetrics } from '../metrics.js';
import { TokenBucket } from './rate-limit.js';
import type { SignalingSocket } from '../types.js';
import { splitArgs, type ClientEventRouter } from './client-event.js';

const knownEvents = new Set<string>(Object.values(ClientEvent));

/**
 * Every event of a socket passes here first, in arrival order: it spends a token of the socket's
 * bucket (RATE_LIMITED when empty), events outside the protocol are refused with
 * INVALID_PAYLOAD, and the rest go to their handler through the router. A refused event is
 * answered (if the sender asked for an acknowledgement) and never dispatched. Socket.IO's own
 * dispatch to per-socket listeners is never reached: the router is the only way to a handler.
 */
export function guardEvents(
  deps: { rateLimit: { burst: number; perSecond: number }; metrics: Pick<SignalingMetrics, 'reject'>; now(): number; events: ClientEventRouter },
  socket: SignalingSocket,
): void {
  const bucket = new TokenBucket(deps.rateLimit.burst, deps.rateLimit.perSecond, deps.now());
  socket.use((packet) => {
    const [event, ...args] = packet as unknown[];
    const refuse = (code: ErrorCode, message: string) => {
      deps.metrics.reject(code);
      splitArgs(args).ack?.(ackError(code, message));
    };
    if (!bucket.take(deps.now())) {
      refuse(ErrorCode.RATE_LIMITED, 'Too many events; slow down.');
      return;
    }
    if (typeof event !== 'string' || !knownEvents.has(event)) {
      refuse(ErrorCode.INVALID_PAYLOAD, `Unknown event '${String(event).slice(0, 64)}'.`);
      return;
    }
    // Socket.IO would skip a socket that closed meanwhile; so does this.
    if (socket.connected) deps.events.dispatch(socket, event, args);
  });
}
