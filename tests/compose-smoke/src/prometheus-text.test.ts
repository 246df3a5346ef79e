import { describe, expect, it } from 'vitest';
import { sampleSum } from './prometheus-text.js';

const exposition = `# HELP signaling_connected_sockets Authenticated Socket.IO connections on this replica
# TYPE signaling_connected_sockets gauge
signaling_connected_sockets 2
# TYPE signaling_relay_latency_seconds histogram
signaling_relay_latency_seconds_bucket{le="0.001",path="cross-replica"} 1
signaling_relay_latency_seconds_sum{path="cross-replica"} 0.0031
signaling_relay_latency_seconds_count{path="cross-replica"} 2
signaling_relay_latency_seconds_count{path="same-replica"} 5
signaling_rejects_total{code="UNAUTHORIZED",note="a \\"quoted\\" } brace"} 3
`;

describe('sampleSum', () => {
  it('reads an unlabelled gauge', () => {
    expect(sampleSum(exposition, 'signaling_connected_sockets')).toBe(2);
  });

  it('sums only the samples whose labels match', () => {
    expect(sampleSum(exposition, 'signaling_relay_latency_seconds_count', { path: 'cross-replica' })).toBe(2);
    expect(sampleSum(exposition, 'signaling_relay_latency_seconds_count')).toBe(7);
  });

  it('does not mistake a longer metric name for the one asked for', () => {
    expect(sampleSum(exposition, 'signaling_relay_latency_seconds')).toBeUndefined();
  });

  it('reads escaped label values', () => {
    expect(sampleSum(exposition, 'signaling_rejects_total', { note: 'a "quoted" } brace' })).toBe(3);
  });

  it('says undefined when no sample matches, which is not the same as zero', () => {
    expect(sampleSum(exposition, 'signaling_relay_latency_seconds_count', { path: 'elsewhere' })).toBeUndefined();
    expect(sampleSum('', 'signaling_connected_sockets')).toBeUndefined();
  });
});
