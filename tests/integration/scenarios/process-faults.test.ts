import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { REFRESH_COOKIE_NAME, type Ack, type ChatMessage } from '@meshcall/shared';
import { cookieFromResponse } from '../src/client/http-client.js';
import { GatewayClient, directAuth } from '../src/client/meshcall-api.js';
import { CallParticipant, dataOf, disconnection, request, type CallSocket } from '../src/client/signaling-client.js';
import { eventually } from '../src/support/eventually.js';
import { startCall } from './support/call.js';
import { resumeAfterReplicaKill } from './support/replica-kill.js';
import { candidate } from './support/signals.js';
import { connectOnReplica } from './support/placement.js';
import { useEnvironment } from './support/fixture.js';
import { readiness, waitUntilAllReady } from './support/health.js';
import { burstDuringStop, unacceptable, type Outcome } from './support/in-flight.js';
import { createRoom, waitForOccupancy } from './support/rooms.js';

const environment = useEnvironment();

/** A chat message's acknowledgement, or 'disconnected' if the socket went away before it came. */
function chatOrDisconnect(socket: CallSocket, text: string): Promise<Ack<ChatMessage> | 'disconnected'> {
  return new Promise((resolve) => {
    const onDisconnect = () => resolve('disconnected');
    socket.once('disconnect', onDisconnect);
    socket.emit('chat:send', { text }, (ack) => {
      socket.off('disconnect', onDisconnect);
      resolve(ack);
    });
  });
}

describe('a signaling replica killed with SIGKILL', () => {
  it("moves its peers to the other replica with the same seats within seconds; messages to them arrive once", async () => {
    await resumeAfterReplicaKill(environment());
  });
});

/**
 * Only the launcher restarts a crashed piece by itself: Testcontainers starts containers without
 * compose's `restart: unless-stopped`, so there the scenario would test nothing of ours.
 */
const launcherSupervises = inject('environmentSelection').name === 'local';

describe.runIf(launcherSupervises)('a signaling replica killed with SIGKILL under the launcher (kill -9, not a test fault)', () => {
  it('is restarted on its port by the supervisor; its calls resume, the restarted replica serves calls, and no ghost seat is left', async () => {
    const env = environment();
    const crash = env.crashSignalingReplica?.bind(env);
    if (!crash) throw new Error(`the ${env.name} environment cannot crash a replica behind its supervisor's back`);
    // Alice on replica 0; Bob and Carol on replica 1, which dies. Bob comes back, Carol never does.
    const call = await startCall(env, [0, 1, 1]);
    const extra: CallParticipant[] = [];
    try {
      const [alice, bob, carol] = call.calls as [CallParticipant, CallParticipant, CallParticipant];
      const bobPeerId = bob.peerId;
      const carolPeerId = carol.peerId;
      dataOf(await request(alice.socket, 'signal', { to: bobPeerId, description: { type: 'offer', sdp: 'v=0\r\n' } }));
      await bob.log.waitFor('signal', (s) => s.description?.type === 'offer');

      const dropped = Promise.all([disconnection(bob.socket), disconnection(carol.socket)]);
      const killedAt = Date.now();
      await crash(1);
      await dropped;
      carol.close();
      const whileAway = ['a', 'b'].map((label) => candidate(`crash-${label}`));
      for (const c of whileAway) dataOf(await request(alice.socket, 'signal', { to: bobPeerId, candidate: c }));

      // Back on the same address (the gateway's upstream for it is a fixed port), without any
      // startService: only the supervisor can have started it. The issue asks for 5 s; the wait
      // is bounded more loosely for a busy machine and the time is printed, never asserted.
      await eventually('signaling replica 1 ready again on its port', () => readiness(env.urls.signaling[1] as string), (r) => r.status === 200, {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      console.log(`[integration] signaling replica 1 was back (ready on its port) ${((Date.now() - killedAt) / 1000).toFixed(1)} s after SIGKILL`);

      // Bob's call resumes: the same seat, nothing to renegotiate, what Alice sent meanwhile arrives once, in order.
      const resumed = dataOf(
        await eventually('Bob resumes his seat', () => bob.resume(call.gateway.gatewayUrl, call.users[1]!.accessToken), (ack) => ack.ok, { timeoutMs: 10_000 }),
      );
      expect(resumed.peerId).toBe(bobPeerId);
      expect(resumed.resync).toBe(false);
      const marker = candidate('crash-marker');
      dataOf(await request(alice.socket, 'signal', { to: bobPeerId, candidate: marker }));
      await bob.log.waitFor('signal', (s) => s.candidate?.candidate === marker.candidate);
      const candidates = bob.log.of('signal').flatMap((s) => (s.candidate ? [s.candidate.candidate] : []));
      expect(candidates).toEqual([...whileAway, marker].map((c) => c.candidate));

      // No ghost seat: Carol, who never came back, lapses (her lease died with the replica, and the
      // restarted replica of the same name does not hold it), announced once; Bob never left.
      const left = await alice.log.waitFor('peer:left', (p) => p.peerId === carolPeerId, 45_000);
      expect(left.reason).toBe('disconnected');
      expect(await waitForOccupancy(call.gateway, call.users[0]!, call.room.id, 2, 15_000)).toBe(2);

      // The restarted replica takes part in calls again: Dave lands on it, joins, and sees exactly
      // Alice and Bob; his offer reaches Alice on the other replica.
      const dave = await directAuth(env.urls.auth[0] as string).signUp('dave');
      const daveCall = await connectOnReplica(env, dave.accessToken, 1);
      extra.push(daveCall);
      const daveSeat = dataOf(await daveCall.join(await call.gateway.rooms.ticket(dave.accessToken, call.room.id)));
      expect(daveSeat.peers.map((peer) => peer.peerId).sort()).toEqual([alice.peerId, bobPeerId].sort());
      dataOf(await request(daveCall.socket, 'signal', { to: alice.peerId, description: { type: 'offer', sdp: 'v=0\r\n' } }));
      await alice.log.waitFor('signal', (s) => s.from === daveSeat.peerId && s.description?.type === 'offer');
      expect(await waitForOccupancy(call.gateway, call.users[0]!, call.room.id, 3)).toBe(3);
      expect(alice.log.of('peer:left').map((p) => p.peerId)).toEqual([carolPeerId]);
    } finally {
      call.close();
      for (const participant of extra) participant.close();
      // Only matters when the supervisor failed: the next scenarios need both replicas.
      await environment().startService('signaling', 1);
      await waitUntilAllReady(environment());
    }
  });
});

describe('graceful shutdown under in-flight requests: each completes or gets 503, nothing is reset', () => {
  it('auth', async () => {
    const authUrl = environment().urls.auth[0] as string;
    const emails = Array.from({ length: 40 }, () => `shutdown-${randomUUID()}@example.com`);
    let outcomes: Outcome[];
    try {
      outcomes = await burstDuringStop(
        emails.length,
        (i) => ({ method: 'POST', url: `${authUrl}/register`, body: { name: 'Shutdown', email: emails[i], password: 'long enough pw' } }),
        () => environment().stopService('auth', 0),
      );
    } finally {
      await environment().startService('auth', 0);
    }
    expect(unacceptable(outcomes, [201])).toEqual([]);
    expect(outcomes.some((o) => o.afterStop)).toBe(true);
    await waitUntilAllReady(environment());
    // What was answered 201 really exists.
    const created = emails.filter((_, i) => 'status' in outcomes[i]! && (outcomes[i] as { status: number }).status === 201);
    expect(created.length).toBeGreaterThan(0);
    const auth = directAuth(environment().urls.auth[0] as string);
    for (const email of created.slice(0, 5)) expect((await auth.login({ email, password: 'long enough pw' })).status).toBe(200);
  });

  it('rooms', async () => {
    const gateway = new GatewayClient(environment().gatewayUrl);
    const auth = directAuth(environment().urls.auth[0] as string);
    // Four owners of ten rooms each: one account may create only ROOM_CREATE_RATE_LIMIT (30) rooms
    // per window, and this scenario is about the shutdown, not that limit.
    const owners = await Promise.all([0, 1, 2, 3].map((i) => auth.signUp(`Shutdown owner ${i}`)));
    const ownerOf = (i: number) => owners[i % owners.length] as (typeof owners)[number];
    const roomsUrl = environment().urls.rooms[0] as string;
    let outcomes: Outcome[];
    try {
      outcomes = await burstDuringStop(
        40,
        (i) => ({ method: 'POST', url: roomsUrl, token: ownerOf(i).accessToken, body: { name: `Shutdown room ${i}`, kind: 'learning' } }),
        () => environment().stopService('rooms', 0),
      );
    } finally {
      await environment().startService('rooms', 0);
    }
    expect(unacceptable(outcomes, [201])).toEqual([]);
    expect(outcomes.some((o) => o.afterStop)).toBe(true);
    await waitUntilAllReady(environment());
    const created = outcomes.filter((o) => 'status' in o && o.status === 201).length;
    let stored = 0;
    for (const owner of owners) {
      const mine = await gateway.http.request<{ total: number }>('GET', `${environment().gatewayUrl}/api/rooms/mine?pageSize=100`, { token: owner.accessToken });
      stored += mine.body.total;
    }
    expect(stored).toBe(created);
  });

  it('signaling: HTTP requests complete or get 503, chat in flight is delivered once and the peer resumes elsewhere', async () => {
    const call = await startCall(environment(), [0, 1]);
    try {
      const [bob, alice] = call.calls as [CallParticipant, CallParticipant];
      const alicePeerId = alice.peerId;
      const replicaUrl = environment().urls.signaling[1] as string;

      const texts = Array.from({ length: 30 }, (_, i) => `in flight ${i}`);
      const chats = texts.map((text) => chatOrDisconnect(alice.socket, text));
      const outcomes = await burstDuringStop(
        30,
        () => ({ method: 'GET', url: `${replicaUrl}/readyz` }),
        async () => {
          await chats[0];
          await environment().stopService('signaling', 1);
        },
      );
      expect(unacceptable(outcomes, [200])).toEqual([]);
      const acks = await Promise.all(chats);
      const acked = acks.flatMap((ack) => (ack !== 'disconnected' && ack.ok ? [ack.data.text] : []));
      const refused = acks.filter((ack) => ack !== 'disconnected' && !ack.ok);
      expect(refused.map((ack) => (ack as { error: { code: string } }).error.code).every((code) => code === 'UNAVAILABLE')).toBe(true);
      expect(acked.length).toBeGreaterThan(0);

      // Alice resumes on the remaining replica with the same seat; nobody heard her leave.
      const resumed = dataOf(
        await eventually('Alice resumes', () => alice.resume(call.gateway.gatewayUrl, call.users[1]!.accessToken), (ack) => ack.ok, { timeoutMs: 10_000 }),
      );
      expect(resumed.peerId).toBe(alicePeerId);
      expect(bob.log.of('peer:left')).toEqual([]);

      // Every acknowledged message reached Bob exactly once; none arrived twice.
      const marker = dataOf(await request(alice.socket, 'chat:send', { text: 'marker' }));
      await bob.log.waitFor('chat:message', (message) => message.id === marker.id);
      const heard = bob.log.of('chat:message').map((message) => message.text);
      for (const text of acked) expect(heard.filter((t) => t === text)).toHaveLength(1);
      expect(new Set(heard).size).toBe(heard.length);
      for (const text of acked) expect(resumed.chat.filter((message) => message.text === text)).toHaveLength(1);
    } finally {
      call.close();
      await environment().startService('signaling', 1);
      await waitUntilAllReady(environment());
    }
  });
});

describe('a full stop and start of the stack', () => {
  it('keeps users, rooms and refresh-token families: a refresh cookie from before still works', async () => {
    const gateway = new GatewayClient(environment().gatewayUrl);
    const owner = await gateway.auth.signUp('Keeper');
    const guest = await gateway.auth.signUp('Guest');
    const firstCookie = owner.refreshToken;
    const rotated = await gateway.auth.refresh(firstCookie);
    expect(rotated.status).toBe(200);
    const cookieBefore = cookieFromResponse(rotated.headers, REFRESH_COOKIE_NAME);
    expect(cookieBefore).toEqual(expect.any(String));
    const room = await createRoom(gateway, owner, { name: 'Survives restarts', visibility: 'private', capacity: 3 });

    await environment().restartStack();
    expect(environment().gatewayUrl).toBe(gateway.gatewayUrl);
    for (const url of [...environment().urls.auth, ...environment().urls.rooms]) expect((await readiness(url)).status).toBe(200);

    // The refresh cookie issued before the restart still works, and the user is the same.
    const refreshed = await gateway.auth.refresh(cookieBefore);
    expect(refreshed.status).toBe(200);
    const me = await gateway.auth.me(refreshed.body.accessToken);
    expect(me.body.user).toMatchObject({ id: owner.id, email: owner.email });
    expect((await gateway.auth.login({ email: guest.email, password: guest.password })).status).toBe(200);

    // The room, its invite and its settings are all there; the invitee can still get in.
    const kept = await gateway.rooms.get(refreshed.body.accessToken, room.id);
    expect(kept.body.room).toMatchObject({ id: room.id, name: 'Survives restarts', visibility: 'private', capacity: 3, inviteCode: room.inviteCode });
    expect((await gateway.rooms.join(guest.accessToken, room.id, room.inviteCode)).status).toBe(200);

    // The family's history survived too: replaying the token spent before the restart revokes it.
    expect((await gateway.auth.refresh(firstCookie)).status).toBe(401);
    const newest = cookieFromResponse(refreshed.headers, REFRESH_COOKIE_NAME);
    expect((await gateway.auth.refresh(newest)).status).toBe(401);
  });
});
