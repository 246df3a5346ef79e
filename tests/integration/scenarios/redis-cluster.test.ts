import { describe, expect, inject, it } from 'vitest';
import { ErrorCode, redisKeys, type Ack } from '@meshcall/shared';
import { type CallParticipant, dataOf, errorCodeOf, request } from '../src/client/signaling-client.js';
import { startCall } from './support/call.js';
import { useEnvironment } from './support/fixture.js';
import { waitForOccupancy } from './support/rooms.js';
import { resumeAfterReplicaKill } from './support/replica-kill.js';
import { raceForSeats, signUpCrowd } from './support/seat-race.js';
import { candidate } from './support/signals.js';

/**
 * The same guarantees as on one Redis, with the services on a real six-node Redis Cluster (3
 * masters, 3 replicas of Debian's redis-server) that the launcher starts: exact capacity, relay
 * and resume across replicas, and a master SIGKILLed mid-call. Only the launcher starts a cluster;
 * the Testcontainers run has one Redis container, so this file runs on the local environment.
 */
const launcherRuns = inject('environmentSelection').name === 'local';

/** Alice's signals to Bob go out one every this often while the master is killed and replaced. */
const SEND_EVERY_MS = 25;
/** Bounds the sender: the failover takes a few seconds (node timeout 2 s plus the election). */
const MAX_SIGNALS = 1_200;
/** Keep sending this long after the cluster is healthy again: the call must simply go on. */
const AFTER_FAILOVER_MS = 2_000;
/**
 * The promise of the failover window: after the cluster is healthy again, a signal that still
 * fails must be an outlier of at most this long (a client connection finding the new master).
 */
const FAILURES_END_WITHIN_MS_OF_HEALTHY = 1_000;

describe.runIf(launcherRuns)('on a Redis Cluster', () => {
  const environment = useEnvironment({ redisCluster: true });

  it('admits exactly 2 and exactly 6 of 50 simultaneous joins across two replicas', async () => {
    const crowd = await signUpCrowd(environment());
    await raceForSeats(environment(), crowd, 2);
    await raceForSeats(environment(), crowd, 6);
  });

  it('relays across replicas and resumes exactly on another replica after one is SIGKILLed', async () => {
    await resumeAfterReplicaKill(environment());
  });

  it('keeps a call going when the master of its room is SIGKILLed: no acknowledged signal lost or repeated, nobody over-admitted', async () => {
    const env = environment();
    const call = await startCall(env, [0, 1], 2);
    try {
      const [alice, bob] = call.calls as [CallParticipant, CallParticipant];
      const sent: Array<{ label: string; at: number; ack: Ack<unknown> }> = [];
      let sending = true;
      const sender = (async () => {
        for (let i = 0; sending && i < MAX_SIGNALS; i++) {
          const label = `failover-${i}`;
          const ack = await request(alice.socket, 'signal', { to: bob.peerId, candidate: candidate(label) });
          sent.push({ label, at: Date.now(), ack });
          await new Promise((resolve) => setTimeout(resolve, SEND_EVERY_MS));
        }
      })();

      await new Promise((resolve) => setTimeout(resolve, 500));
      const killedAt = Date.now();
      const failover = await env.killRedisMasterOf!(redisKeys.roomSeats(call.room.id));
      const healthyAt = killedAt + failover.failoverMs;
      await new Promise((resolve) => setTimeout(resolve, AFTER_FAILOVER_MS));
      sending = false;
      await sender;

      const acknowledged = sent.filter((signal) => signal.ack.ok).map((signal) => signal.label);
      const failed = sent.filter((signal) => !signal.ack.ok);
      console.log(
        `[integration] failover: master :${failover.killedPort} SIGKILLed, :${failover.promotedPort} serves the room after ${failover.failoverMs} ms; ` +
          `${sent.length} signals sent, ${failed.length} refused (${[...new Set(failed.map((signal) => errorCodeOf(signal.ack)))].join(', ') || 'none'}), ` +
          `refusals from +${failed.length ? Math.min(...failed.map((s) => s.at - killedAt)) : 0} to +${failed.length ? Math.max(...failed.map((s) => s.at - killedAt)) : 0} ms after the kill`,
      );
      // A refusal is the typed "try again" answer, and only inside the failover window.
      for (const signal of failed) {
        expect(errorCodeOf(signal.ack)).toBe(ErrorCode.UNAVAILABLE);
        expect(signal.at).toBeLessThanOrEqual(healthyAt + FAILURES_END_WITHIN_MS_OF_HEALTHY);
      }
      // The call goes on: signals after the failover are acknowledged.
      expect(sent.filter((signal) => signal.at > healthyAt + FAILURES_END_WITHIN_MS_OF_HEALTHY).every((signal) => signal.ack.ok)).toBe(true);

      // A marker sent last proves nothing else is on its way; then every acknowledged signal has
      // arrived exactly once and in order (a refused one may not arrive; if it does, once).
      const marker = candidate('failover-marker');
      dataOf(await request(alice.socket, 'signal', { to: bob.peerId, candidate: marker }));
      await bob.log.waitFor('signal', (s) => s.candidate?.candidate === marker.candidate);
      const received = bob.log.of('signal').flatMap((s) => (s.candidate ? [s.candidate.candidate] : []));
      expect(new Set(received).size).toBe(received.length);
      const acknowledgedCandidates = new Set(acknowledged.map((label) => candidate(label).candidate));
      expect(received.filter((c) => acknowledgedCandidates.has(c))).toEqual(acknowledged.map((label) => candidate(label).candidate));

      // Nobody left, nobody was let in twice: the room of two is still exactly Alice and Bob.
      expect(alice.log.of('peer:left')).toEqual([]);
      expect(bob.log.of('peer:left')).toEqual([]);
      expect(await waitForOccupancy(call.gateway, call.users[0]!, call.room.id, 2)).toBe(2);
      const latecomer = await call.gateway.auth.signUp('Latecomer');
      const refused = await call.gateway.rooms.join(latecomer.accessToken, call.room.id);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ error: { code: ErrorCode.ROOM_FULL } });

      await env.restartRedisNode!(failover.killedPort);
    } finally {
      call.close();
    }
  });

  it('still admits exactly 2 of 50 simultaneous joins after the failover', async () => {
    const crowd = await signUpCrowd(environment());
    await raceForSeats(environment(), crowd, 2);
  });
});
