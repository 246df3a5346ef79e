import { expect } from 'vitest';
import { ErrorCode } from '@meshcall/shared';
import { GatewayClient, directAuth, type TestUser } from '../../src/client/meshcall-api.js';
import { connectedSocketsPerReplica } from '../../src/client/prometheus.js';
import { CallParticipant, errorCodeOf, request } from '../../src/client/signaling-client.js';
import type { TestEnvironment } from '../../src/environment/index.js';
import { eventually } from '../../src/support/eventually.js';
import { createRoom, waitForOccupancy } from './rooms.js';

/** The room owner and the 50 accounts that race for its seats. */
export interface RaceCrowd {
  gateway: GatewayClient;
  owner: TestUser;
  racers: TestUser[];
}

export async function signUpCrowd(environment: TestEnvironment): Promise<RaceCrowd> {
  const gateway = new GatewayClient(environment.gatewayUrl);
  const owner = await gateway.auth.signUp('Owner');
  // Setup traffic goes to an auth replica directly; the gateway's sign-in flood limit is tested on its own.
  const auth = directAuth(environment.urls.auth[0] as string);
  const racers: TestUser[] = [];
  for (let batch = 0; batch < 5; batch++) {
    racers.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => auth.signUp(`racer-${batch * 10 + i}`)))));
  }
  return { gateway, owner, racers };
}

/**
 * 50 joins at once, over sockets spread across both signaling replicas, to a fresh room of
 * `capacity`: exactly `capacity` are admitted, every other join is refused ROOM_FULL, and the
 * seated peers all see one consistent room.
 */
export async function raceForSeats(environment: TestEnvironment, crowd: RaceCrowd, capacity: number): Promise<void> {
  const { gateway, owner, racers } = crowd;
  const room = await createRoom(gateway, owner, { name: `Race for ${capacity}`, capacity });
  const tickets = await Promise.all(racers.map((user) => gateway.rooms.ticket(user.accessToken, room.id)));
  const before = await connectedSocketsPerReplica(environment.urls.signaling);
  const calls = await Promise.all(racers.map((user) => CallParticipant.connect(gateway.gatewayUrl, user.accessToken)));
  try {
    // The sockets really are spread over both replicas, so the race crosses processes.
    const after = await connectedSocketsPerReplica(environment.urls.signaling);
    const added = after.map((count, i) => count - (before[i] ?? 0));
    expect(added.every((n) => n > 0), `sockets per replica: ${JSON.stringify(added)}`).toBe(true);

    const acks = await Promise.all(calls.map((call, i) => call.join(tickets[i] as string)));
    const admitted = acks.filter((ack) => ack.ok);
    const refusals = acks.filter((ack) => !ack.ok).map((ack) => errorCodeOf(ack));
    expect(admitted).toHaveLength(capacity);
    expect(refusals).toEqual(Array.from({ length: racers.length - capacity }, () => ErrorCode.ROOM_FULL));
    expect(await waitForOccupancy(gateway, owner, room.id, capacity)).toBe(capacity);
    // Everyone seated sees exactly the others seated: one consistent room, not two halves.
    const seatedPeerIds = new Set(admitted.map((ack) => (ack.ok ? ack.data.peerId : '')));
    const seatedCalls = calls.filter((call) => call.joined);
    for (const call of seatedCalls) {
      await eventually(
        'every seated peer knows every other',
        async () => new Set([...(call.joined?.peers.map((p) => p.peerId) ?? []), ...call.log.of('peer:joined').map((p) => p.peerId), call.peerId]),
        (known) => known.size === capacity && [...known].every((id) => seatedPeerIds.has(id)),
        { timeoutMs: 5_000 },
      );
    }
    await Promise.all(seatedCalls.map((call) => request(call.socket, 'room:leave', {})));
    await waitForOccupancy(gateway, owner, room.id, 0);
  } finally {
    for (const call of calls) call.close();
  }
}
