import { describe, expect, it } from 'vitest';
import { sampleSum } from './prometheus.js';

const exposition = [
  '# HELP signaling_connected_sockets Authenticated Socket.IO connections on this replica',
  '# TYPE signaling_connected_sockets gauge',
  'signaling_connected_sockets{service="signaling"} 3',
  'signaling_connected_sockets_extra 9',
  'signaling_rejects_total{code="UNAUTHORIZED",service="signaling"} 2',
  'signaling_rejects_total{code="ROOM_FULL",service="signaling"} 48',
  '',
].join('\n');

describe('sampleSum', () => {
  it('reads a sample by its exact name, with or without labels', () => {
    expect(sampleSum(exposition, 'signaling_connected_sockets')).toBe(3);
    expect(sampleSum(exposition, 'signaling_connected_sockets_extra')).toBe(9);
  });

  it('adds up every labelled sample of a metric', () => {
    expect(sampleSum(exposition, 'signaling_rejects_total')).toBe(50);
  });

  it('is undefined for a metric that is not there', () => {
    expect(sampleSum(exposition, 'signaling_joined_peers')).toBeUndefined();
  });
});
