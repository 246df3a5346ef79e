import type { Room } from '@meshcall/shared';
import { GatewayClient, directAuth, type TestUser } from '../../src/client/meshcall-api.js';
import { CallParticipant, dataOf } from '../../src/client/signaling-client.js';
import type { TestEnvironment } from '../../src/environment/index.js';
import { connectOnReplica } from './placement.js';
import { createRoom, waitForOccupancy } from './rooms.js';

export interface SeatedCall {
  gateway: GatewayClient;
  room: Room;
  users: TestUser[];
  calls: CallParticipant[];
  close(): void;
}

/**
 * A call in progress: `replicas.length` users seated in a fresh public room, user i's socket on
 * signaling replica `replicas[i]`. The first user owns the room. Users are signed up on an auth
 * replica directly (setup traffic stays clear of the gateway's sign-in flood limit).
 */
export async function startCall(environment: TestEnvironment, replicas: number[], capacity = 4): Promise<SeatedCall> {
  const gateway = new GatewayClient(environment.gatewayUrl);
  const auth = directAuth(environment.urls.auth[0] as string);
  const users = await Promise.all(replicas.map((_, i) => auth.signUp(`caller-${i}`)));
  const owner = users[0] as TestUser;
  const room = await createRoom(gateway, owner, { capacity });
  const calls: CallParticipant[] = [];
  const close = () => calls.forEach((call) => call.close());
  try {
    for (const [i, replica] of replicas.entries()) {
      const user = users[i] as TestUser;
      const call = await connectOnReplica(environment, user.accessToken, replica);
      calls.push(call);
      dataOf(await call.join(await gateway.rooms.ticket(user.accessToken, room.id)));
    }
    await waitForOccupancy(gateway, owner, room.id, replicas.length);
  } catch (error) {
    close();
    throw error;
  }
  return { gateway, room, users, calls, close };
}
