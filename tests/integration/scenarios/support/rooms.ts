import type { Room } from '@meshcall/shared';
import { GatewayClient, type TestUser } from '../../src/client/meshcall-api.js';
import { eventually } from '../../src/support/eventually.js';

/** The room's head count as its owner's lobby shows it (`GET /api/rooms/:id`). */
export async function occupancyOf(gateway: GatewayClient, owner: TestUser, roomId: string): Promise<number> {
  const response = await gateway.rooms.get(owner.accessToken, roomId);
  if (response.status !== 200) throw new Error(`GET room ${roomId} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.room.occupancy.count;
}

/** Waits (bounded) until the room's head count is `count`. */
export function waitForOccupancy(gateway: GatewayClient, owner: TestUser, roomId: string, count: number, timeoutMs = 10_000): Promise<number> {
  return eventually(`occupancy ${count} in room ${roomId}`, () => occupancyOf(gateway, owner, roomId), (n) => n === count, { timeoutMs });
}

export async function createRoom(gateway: GatewayClient, owner: TestUser, overrides: Partial<Pick<Room, 'name' | 'kind' | 'visibility' | 'capacity'>> = {}): Promise<Room> {
  return gateway.rooms.createRoom(owner.accessToken, { name: 'Integration room', kind: 'business', visibility: 'public', capacity: 4, ...overrides });
}
