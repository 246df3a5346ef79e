import type { Room } from '@meshcall/shared';
import type { LiveRoomState } from '../repositories/live-room-store.js';
import type { RoomRecord } from '../repositories/room-record.js';

/**
 * A room as a client sees it. The invite code and the guest list are the owner's business only;
 * an invitee sees the state of their own invitation. `viewerId` null is the view every lobby
 * client gets.
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
    guestAccess: room.guestAccess,
    occupancy: { count: live.count, capacity: room.capacity },
    createdAt: room.createdAt.toISOString(),
    updatedAt: room.updatedAt.toISOString(),
    closedAt: room.closedAt ? room.closedAt.toISOString() : null,
  };
  if (viewerId !== null && viewerId === room.ownerId) {
    // Everyone invited, so that the owner's read-modify-write of the list keeps pending invitations.
    view.allowedUsers = [...room.allowedUsers, ...room.invitedUsers];
    view.invitations = [
      ...room.allowedUsers.map((userId) => {
        const name = room.memberNames[userId];
        return name === undefined ? { userId, status: 'accepted' as const } : { userId, status: 'accepted' as const, name };
      }),
      ...room.invitedUsers.map((userId) => ({ userId, status: 'pending' as const })),
    ];
    if (room.inviteCode !== null) view.inviteCode = room.inviteCode;
  } else if (viewerId !== null && room.allowedUsers.includes(viewerId)) {
    view.invitation = 'accepted';
  } else if (viewerId !== null && room.invitedUsers.includes(viewerId)) {
    view.invitation = 'pending';
  }
  return view;
}
