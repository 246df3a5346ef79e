import { expect } from 'vitest';
import { CallParticipant, dataOf, disconnection, request } from '../../src/client/signaling-client.js';
import type { TestEnvironment } from '../../src/environment/index.js';
import { eventually } from '../../src/support/eventually.js';
import { startCall } from './call.js';
import { candidate } from './signals.js';
import { waitUntilAllReady } from './health.js';
import { waitForOccupancy } from './rooms.js';

/**
 * Alice on replica 0 and Bob on replica 1 are in a call; replica 1 is SIGKILLed. While Bob is
 * away Alice sends him candidates and a chat message; Bob resumes through the gateway on the
 * surviving replica with the same seat and no resync, gets every candidate exactly once and in
 * order, and the room never loses him. Replica 1 is started again at the end.
 */
export async function resumeAfterReplicaKill(environment: TestEnvironment): Promise<void> {
  const call = await startCall(environment, [0, 1]);
  try {
    const [alice, bob] = call.calls as [CallParticipant, CallParticipant];
    const bobUser = call.users[1]!;
    const bobPeerId = bob.peerId;
    // The call is under way: Bob has already received an offer (and knows its sequence number).
    dataOf(await request(alice.socket, 'signal', { to: bobPeerId, description: { type: 'offer', sdp: 'v=0\r\n' } }));
    await bob.log.waitFor('signal', (s) => s.description?.type === 'offer');

    const dropped = disconnection(bob.socket);
    await environment.killSignalingReplica(1);
    await dropped;

    // While Bob is away, Alice keeps talking to him.
    const whileAway = ['a', 'b', 'c'].map((label) => candidate(`away-${label}`));
    for (const c of whileAway) dataOf(await request(alice.socket, 'signal', { to: bobPeerId, candidate: c }));
    const chat = dataOf(await request(alice.socket, 'chat:send', { text: 'Bob, are you still there?' }));

    // Bob comes back through the gateway (only replica 0 is left) and resumes: same seat, no resync.
    const resumed = await eventually('Bob resumes his seat', () => bob.resume(call.gateway.gatewayUrl, bobUser.accessToken), (ack) => ack.ok, {
      timeoutMs: 10_000,
      intervalMs: 250,
    });
    const seat = dataOf(resumed);
    expect(seat.peerId).toBe(bobPeerId);
    expect(seat.resync).toBe(false);
    expect(seat.peers.map((peer) => peer.peerId)).toEqual([alice.peerId]);
    expect(seat.chat.filter((message) => message.id === chat.id)).toHaveLength(1);

    // The candidates arrive exactly once and in order; a marker sent afterwards proves nothing else is on its way.
    const marker = candidate('marker');
    dataOf(await request(alice.socket, 'signal', { to: bobPeerId, candidate: marker }));
    await bob.log.waitFor('signal', (s) => s.candidate?.candidate === marker.candidate);
    const candidates = bob.log.of('signal').flatMap((s) => (s.candidate ? [s.candidate.candidate] : []));
    expect(candidates).toEqual([...whileAway, marker].map((c) => c.candidate));
    expect(bob.log.of('chat:message').filter((message) => message.id === chat.id).length).toBeLessThanOrEqual(1);

    // The room never lost Bob.
    expect(alice.log.of('peer:left')).toEqual([]);
    expect(await waitForOccupancy(call.gateway, call.users[0]!, call.room.id, 2)).toBe(2);
  } finally {
    call.close();
    await environment.startService('signaling', 1);
    await waitUntilAllReady(environment);
  }
}
