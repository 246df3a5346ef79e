import { describe, expect, it } from 'vitest';
import { findFreePort } from '@meshcall/stack';
import { dataOf, refusedHandshake, request } from './support/client.js';
import { closeAll, seatUser } from './support/participant.js';
import { startReplica, twoReplicasForSuite } from './support/replicas.js';
import { newRoomId } from './support/token-issuer.js';

/** The value of one series in Prometheus text format (labels in any order), or undefined when absent. */
function sample(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries({ service: 'signaling', ...labels })
    .map(([key, value]) => `${key}="${value}"`)
    .sort()
    .join(',');
  for (const line of metrics.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match?.[1] === name && match[2]?.split(',').sort().join(',') === wanted) return Number(match[3]);
  }
  return undefined;
}

describe('health, readiness and metrics', () => {
  const cluster = twoReplicasForSuite('http');

  it('is alive and ready when Redis and both key sets answer', async () => {
    const health = await fetch(`${cluster.one.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', service: 'signaling' });
    const ready = await fetch(`${cluster.one.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', service: 'signaling', checks: { redis: 'ok', authJwks: 'ok', roomsJwks: 'ok' } });
    const missing = await fetch(`${cluster.one.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('is not ready while Redis does not answer, and ready again after', async () => {
    cluster.redis.component.signal('SIGSTOP');
    try {
      const ready = await fetch(`${cluster.one.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'unavailable', checks: { redis: 'down', authJwks: 'ok', roomsJwks: 'ok' } });
    } finally {
      cluster.redis.component.signal('SIGCONT');
    }
    await expect.poll(async () => (await fetch(`${cluster.one.url}/readyz`)).status).toBe(200);
  });

  it('is not ready when the rooms key set cannot be fetched', async () => {
    const nowhere = `http://127.0.0.1:${await findFreePort()}/.well-known/jwks.json`;
    const blind = await startReplica({ redisUrl: cluster.redis.url, issuer: cluster.issuer, replicaId: 'http-blind', env: { ROOMS_JWKS_URL: nowhere } });
    try {
      const ready = await fetch(`${blind.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { redis: 'ok', authJwks: 'ok', roomsJwks: 'down' } });
    } finally {
      await blind.close();
    }
  });

  it('counts sockets, seats, relayed messages with their latency, and rejects by code', async () => {
    const roomId = newRoomId();
    const alice = await seatUser(cluster.one.url, cluster.issuer, { roomId });
    const bob = await seatUser(cluster.two.url, cluster.issuer, { roomId });
    try {
      await refusedHandshake(cluster.one.url, 'forged');
      dataOf(await request(alice.socket, 'signal', { to: bob.joined.peerId, description: { type: 'offer', sdp: 'v=0\r\n' } }));
      await bob.log.waitFor('signal');
      await request(alice.socket, 'signal', { to: 'missing-peer-01', description: { type: 'offer', sdp: 'v=0\r\n' } });

      const atOne = await (await fetch(`${cluster.one.url}/metrics`)).text();
      const atTwo = await (await fetch(`${cluster.two.url}/metrics`)).text();
      expect(sample(atOne, 'signaling_connected_sockets', {})).toBe(1);
      expect(sample(atOne, 'signaling_joined_peers', {})).toBe(1);
      expect(sample(atOne, 'signaling_relayed_messages_total', { kind: 'signal' })).toBe(1);
      expect(sample(atOne, 'signaling_rejects_total', { code: 'UNAUTHORIZED' })).toBe(1);
      expect(sample(atOne, 'signaling_rejects_total', { code: 'PEER_NOT_FOUND' })).toBe(1);
      // Latency is observed where the signal is delivered: on Bob's replica, as a cross-replica relay.
      expect(sample(atTwo, 'signaling_relay_latency_seconds_count', { path: 'cross-replica' })).toBe(1);
    } finally {
      closeAll(alice, bob);
    }
  });
});
