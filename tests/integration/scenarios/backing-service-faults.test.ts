import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode, errorBodySchema } from '@meshcall/shared';
import { GatewayClient } from '../src/client/meshcall-api.js';
import { CallParticipant, request, type CallSocket } from '../src/client/signaling-client.js';
import { eventually } from '../src/support/eventually.js';
import { startCall } from './support/call.js';
import { useEnvironment } from './support/fixture.js';
import { readiness, waitUntilAllReady } from './support/health.js';
import { wrongPasswordStatuses } from './support/limits.js';
import { occupancyOf, waitForOccupancy } from './support/rooms.js';

const environment = useEnvironment();

/** A distinct offer per attempt, so a test can tell which attempts were relayed. */
function offer(label: string) {
  return { type: 'offer' as const, sdp: `v=0\r\ns=${label}\r\n` };
}

/**
 * Sends `to` an offer until one is acknowledged (Redis may still be coming back), each attempt
 * with its own label. Returns the labels of every attempt and of the one that was accepted.
 */
async function signalUntilAccepted(from: CallSocket, to: string, prefix: string): Promise<{ attempts: string[]; accepted: string }> {
  const attempts: string[] = [];
  const accepted = await eventually(
    `a signal to ${to} accepted`,
    async () => {
      const label = `${prefix}-${attempts.length}`;
      attempts.push(label);
      const ack = await request(from, 'signal', { to, description: offer(label) });
      return ack.ok ? label : `refused: ${ack.error.code}`;
    },
    (result) => !result.startsWith('refused'),
    { timeoutMs: 20_000, intervalMs: 500 },
  );
  return { attempts, accepted };
}

/** Offers with these labels that reached the participant. */
function receivedOffers(participant: CallParticipant, labels: string[]): string[] {
  return participant.log
    .of('signal')
    .map((signal) => /s=(\S+)/.exec(signal.description?.sdp ?? '')?.[1] ?? '')
    .filter((label) => labels.includes(label));
}

describe('Redis under faults', () => {
  it('restarted mid-call (stopped, started on the same port): signaling recovers, peers rejoin, no ghosts, limits hold', async () => {
    const call = await startCall(environment(), [0, 1, 0]);
    try {
      const [alice, bob, carol] = call.calls as [CallParticipant, CallParticipant, CallParticipant];
      const [, bobUser] = call.users;
      const bobPeerId = bob.peerId;
      const carolPeerId = carol.peerId;
      // Carol's connection dies just before the outage and she never comes back.
      carol.close();

      await environment().restartRedis();
      await waitUntilAllReady(environment());

      // Bob's connection drops after the outage; he comes back on a new socket and takes his seat back.
      const resumed = await eventually(
        'Bob resumes his seat',
        () => bob.resume(call.gateway.gatewayUrl, bobUser?.accessToken as string),
        (ack) => ack.ok,
        { timeoutMs: 20_000, intervalMs: 500 },
      );
      expect(resumed.ok && resumed.data.peerId).toBe(bobPeerId);

      // Signals flow again, each accepted one exactly once; refused ones never arrive.
      const { attempts, accepted } = await signalUntilAccepted(alice.socket, bobPeerId, 'after-redis-restart');
      await bob.log.waitFor('signal', (s) => s.description?.sdp === offer(accepted).sdp);
      expect(receivedOffers(bob, attempts)).toEqual([accepted]);

      // No ghosts: Carol's seat lapses (the head count drops to the two who are there) and the
      // others are told, once; Bob was never announced gone.
      await waitForOccupancy(call.gateway, call.users[0]!, call.room.id, 2, 60_000);
      for (const listener of [alice, bob]) {
        await listener.log.waitFor('peer:left', (left) => left.peerId === carolPeerId, 60_000);
      }
      expect(alice.log.of('peer:left').filter((left) => left.peerId === carolPeerId)).toHaveLength(1);
      expect(alice.log.of('peer:left').filter((left) => left.peerId === bobPeerId)).toEqual([]);

      // The failed-sign-in limit lives in Redis: after the restart it still stops the sixth guess.
      expect(await wrongPasswordStatuses(environment())).toEqual([401, 401, 401, 401, 401, 429]);
    } finally {
      call.close();
    }
  });

  it('frozen with SIGSTOP for 5 s: requests are answered, nobody is announced gone, the call goes on', async () => {
    const call = await startCall(environment(), [0, 1]);
    try {
      const [alice, bob] = call.calls as [CallParticipant, CallParticipant];
      const [aliceUser] = call.users;
      const gateway = new GatewayClient(environment().gatewayUrl);
      const frozen = environment().freezeRedis(5_000);
      await sleep(500);

      // While Redis is frozen nothing hangs: a signal is acknowledged (relayed or UNAVAILABLE)
      // and a sign-in is answered (done, or 503) within a bounded time.
      const duringFreeze = await request(alice.socket, 'signal', { to: bob.peerId, description: offer('during-freeze') }, 12_000);
      expect(duringFreeze.ok || duringFreeze.error.code === ErrorCode.UNAVAILABLE).toBe(true);
      const signIn = await gateway.auth.login({ email: aliceUser!.email, password: aliceUser!.password }, { timeoutMs: 15_000 });
      expect([200, 503]).toContain(signIn.status);
      await frozen;
      await waitUntilAllReady(environment());

      const { attempts, accepted } = await signalUntilAccepted(alice.socket, bob.peerId, 'after-freeze');
      await bob.log.waitFor('signal', (s) => s.description?.sdp === offer(accepted).sdp);
      expect(receivedOffers(bob, attempts)).toEqual([accepted]);
      // Signals to one peer arrive in order, so by now the one sent during the freeze has arrived if it was relayed.
      expect(receivedOffers(bob, ['during-freeze'])).toEqual(duringFreeze.ok ? ['during-freeze'] : []);

      expect(alice.socket.connected && bob.socket.connected).toBe(true);
      expect([...alice.log.of('peer:left'), ...bob.log.of('peer:left')]).toEqual([]);
      expect(await occupancyOf(call.gateway, call.users[0]!, call.room.id)).toBe(2);
      expect(await wrongPasswordStatuses(environment())).toEqual([401, 401, 401, 401, 401, 429]);
    } finally {
      call.close();
    }
  });
});

describe('MongoDB-wire server restarted', () => {
  it('sign-in answers 503 (not a hang, not a 500) while it is down and works after, with /readyz truthful', async () => {
    const gateway = new GatewayClient(environment().gatewayUrl);
    const user = await gateway.auth.signUp('Mongo');
    const authUrl = environment().urls.auth[0] as string;
    const roomsUrl = environment().urls.rooms[0] as string;
    expect((await readiness(authUrl)).status).toBe(200);

    await environment().stopMongo();
    try {
      // Readiness notices within a bounded time and names the dependency.
      for (const url of [authUrl, roomsUrl]) {
        const down = await eventually('readyz reports MongoDB down', () => readiness(url), (r) => r.status === 503, { timeoutMs: 20_000 });
        expect(down.body.checks?.mongo).toBe('down');
      }
      for (let attempt = 0; attempt < 3; attempt++) {
        const signIn = await gateway.auth.login({ email: user.email, password: user.password }, { timeoutMs: 15_000 });
        expect(signIn.status).toBe(503);
        expect(errorBodySchema.parse(signIn.body).error.code).toBe(ErrorCode.UNAVAILABLE);
        expect(JSON.stringify(signIn.body)).not.toMatch(/Mongo|ECONNREFUSED|\bat \w|27017|stack/i);
        // Readiness still says what is true while requests fail.
        expect((await readiness(authUrl)).status).toBe(503);
      }
      const signUp = await gateway.auth.register({ name: 'Late', email: `late-${Date.now()}@example.com`, password: 'long enough' }, { timeoutMs: 15_000 });
      expect(signUp.status).toBe(503);
      const createRoom = await gateway.rooms.create(user.accessToken, { name: 'While down', kind: 'coding' });
      expect(createRoom.status).toBe(503);
    } finally {
      await environment().startMongo();
    }

    for (const url of [authUrl, roomsUrl]) {
      await eventually('readyz reports MongoDB back', () => readiness(url), (r) => r.status === 200, { timeoutMs: 60_000 });
    }
    // As soon as readiness says ready, it is true: sign-in and room creation work.
    const signIn = await gateway.auth.login({ email: user.email, password: user.password });
    expect(signIn.status).toBe(200);
    expect((await gateway.rooms.create(signIn.body.accessToken, { name: 'After the outage', kind: 'coding' })).status).toBe(201);
  });
});
