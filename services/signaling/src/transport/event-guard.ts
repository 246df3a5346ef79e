import { ClientEvent, ErrorCode, ackError } from '@meshcall/shared';
import type { SignalingMetrics } from '../metrics.js';
import { TokenBucket } from './rate-limit.js';
import type { SignalingSocket } from '../types.js';
import { splitArgs } from './client-event.js';

const knownEvents = new Set<string>(Object.values(ClientEvent));

/**
 * Runs before any handler, in arrival order: every event spends a token of the socket's bucket
 * (RATE_LIMITED when empty), and events outside the protocol are refused with INVALID_PAYLOAD.
 * A refused event is answered (if the sender asked for an acknowledgement) and never dispatched.
 */
export function guardEvents(
  deps: { rateLimit: { burst: number; perSecond: number }; metrics: Pick<SignalingMetrics, 'reject'>; now(): number },
  socket: SignalingSocket,
): void {
  const bucket = new TokenBucket(deps.rateLimit.burst, deps.rateLimit.perSecond, deps.now());
  socket.use((packet, next) => {
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
    next();
  });
}
