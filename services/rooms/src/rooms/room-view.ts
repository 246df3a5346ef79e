import type { Room } from '@meshcall/shared';
import type { LiveRoomState } from '../repositories/live-room-store.js';
import type { RoomRecord } from '../repositories/room-record.js';

/**
 * A room as a client sees it. The invite code and the allowed users are the owner's business
 * only; `viewerId` null is the view every lobby client gets.
 */
export function toRoomView(room: RoomRecord, live: Pick<LiveRoomState, 'count' | 'locked'>, viewerId: string | null): Room {
  const view: Room = {
    id: room.id,
    name: room.name,
    kind: room.kind,
    visibility: room.visibility,
    capacity: room.capacity,
    ownerId: room.ownerId,
    ownerName: room.ownerName,
    locked: live.locked,
    occupancy: { count: live.count, capacity: room.capacity },
    createdAt: room.createdAt.toISOString(),
    updatedAt: room.updatedAt.toISOString(),
    closedAt: room.closedAt ? room.closedAt.toISOString() : null,
  };
  if (viewerId !== null && viewerId === room.ownerId) {
    view.allowedUsers = [...room.allowedUsers];
    if (room.inviteCode !== null) view.inviteCode = room.inviteCode;
  }
  return view;
}
