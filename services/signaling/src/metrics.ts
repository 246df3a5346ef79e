import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ErrorCode } from '@meshcall/shared';

export interface SignalingMetrics {
  /** Messages this replica forwarded, by kind (signal, chat, media, game). */
  relayed: Counter<'kind'>;
  /**
   * Time from a signal entering the sender's replica to its emission on the recipient's replica
   * (wall clocks of both, so across hosts it includes their skew), by same/cross replica.
   */
  relayLatency: Histogram<'path'>;
  /** Refused handshakes and failed acknowledgements, by error code. */
  rejects: Counter<'code'>;
  reject(code: ErrorCode): void;
}

/** Signaling's own series on the service registry (connected sockets, joined peers, relays, rejects). */
export function createSignalingMetrics(registry: Registry, live: { connectedSockets: () => number; joinedPeers: () => number }): SignalingMetrics {
  new Gauge({
    name: 'signaling_connected_sockets',
    help: 'Authenticated Socket.IO connections on this replica',
    registers: [registry],
    collect() {
      this.set(live.connectedSockets());
    },
  });
  new Gauge({
    name: 'signaling_joined_peers',
    help: 'Seats held by sockets on this replica',
    registers: [registry],
    collect() {
      this.set(live.joinedPeers());
    },
  });
  const relayed = new Counter({
    name: 'signaling_relayed_messages_total',
    help: 'Messages relayed to peers, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const relayLatency = new Histogram({
    name: 'signaling_relay_latency_seconds',
    help: 'Signal relay time inside the signaling tier, from the sender replica to emission on the recipient replica',
    labelNames: ['path'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const rejects = new Counter({
    name: 'signaling_rejects_total',
    help: 'Refused handshakes and events, by error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  return { relayed, relayLatency, rejects, reject: (code) => rejects.inc({ code }) };
}
