import type { FastifyBaseLogger } from 'fastify';
import type { ServerOptions } from 'socket.io';
import type { SignalingMetrics } from '../metrics.js';

/**
 * Cross-site WebSocket hijacking defence: a browser always sends `Origin` on a WebSocket
 * handshake, so a page on a foreign site is refused here. A handshake without `Origin` cannot
 * come from a browser page; it is a native client or a tool, which could forge any Origin anyway,
 * and it still needs a valid access token in the handshake (no cookie rides along by ambient
 * authority), so refusing it would add no protection.
 */
export function isOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  return allowed.includes(origin.replace(/\/$/, ''));
}

/** Socket.IO's `allowRequest`: refuses (and counts) handshakes from origins not in `allowed`. */
export function refuseForeignOrigins(
  allowed: readonly string[],
  deps: { metrics: Pick<SignalingMetrics, 'reject'>; logger: FastifyBaseLogger },
): NonNullable<ServerOptions['allowRequest']> {
  return (request, callback) => {
    const isAllowed = isOriginAllowed(request.headers.origin, allowed);
    if (!isAllowed) {
      deps.metrics.reject('FORBIDDEN');
      deps.logger.info({ origin: request.headers.origin }, 'refused a handshake from a foreign origin');
    }
    callback(isAllowed ? null : 'origin not allowed', isAllowed);
  };
}
