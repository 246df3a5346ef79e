import { nameMatchesSearch, type ListRoomsQuery, type LobbyEvent, type OccupancyChange, type Room, type RoomKind } from '@meshcall/shared';

/** The lobby's orders, as the rooms service lists them. */
export type LobbySort = ListRoomsQuery['sort'];

export interface LobbyFilter {
  q?: string;
  kind?: RoomKind;
}

/** Whether a room belongs in the public list the user is looking at (by the server's rule for names). */
export function matchesFilter(room: Room, filter: LobbyFilter): boolean {
  if (room.visibility !== 'public' || room.closedAt !== null) return false;
  if (filter.kind && room.kind !== filter.kind) return false;
  const q = filter.q?.trim();
  return !q || nameMatchesSearch(room.name, q);
}

/**
 * Applies one live lobby event to the listed public rooms and returns the new list. New rooms
 * appear on top (the list is newest first), changed rooms update in place or drop out when they
 * no longer match, closed rooms disappear, and occupancy changes only touch the count.
 */
export function applyToPublicList(rooms: readonly Room[], event: LobbyEvent, filter: LobbyFilter): Room[] {
  switch (event.type) {
    case 'room:created':
      if (!matchesFilter(event.room, filter) || rooms.some((r) => r.id === event.room.id)) return [...rooms];
      return [event.room, ...rooms];
    case 'room:updated': {
      const present = rooms.some((r) => r.id === event.room.id);
      if (!matchesFilter(event.room, filter)) return rooms.filter((r) => r.id !== event.room.id);
      return present ? rooms.map((r) => (r.id === event.room.id ? mergeOwnerFields(r, event.room) : r)) : [event.room, ...rooms];
    }
    case 'room:closed':
      return rooms.filter((r) => r.id !== event.roomId);
    case 'rooms:occupancy':
      return withOccupancy(rooms, event.changes);
  }
}

/**
 * Puts the listed rooms in the server's order for `sort`, after live events changed them:
 * `occupancy` is the busiest first and, among rooms as busy, the newest first (as the rooms
 * service scores them), so a room people just joined moves up; `newest` keeps the list as it is,
 * since live events already put new rooms on top.
 */
export function inLobbyOrder(rooms: readonly Room[], sort: LobbySort): Room[] {
  if (sort === 'newest') return [...rooms];
  return [...rooms].sort((a, b) => b.occupancy.count - a.occupancy.count || Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

/**
 * Applies a live event to the user's own rooms: they are listed whatever their visibility, so
 * only changes to rooms already known (and new ones the user owns) count.
 */
export function applyToOwnList(rooms: readonly Room[], event: LobbyEvent, userId: string): Room[] {
  switch (event.type) {
    case 'room:created':
      return event.room.ownerId === userId && !rooms.some((r) => r.id === event.room.id) ? [event.room, ...rooms] : [...rooms];
    case 'room:updated':
      return rooms.map((r) => (r.id === event.room.id ? mergeOwnerFields(r, event.room) : r));
    case 'room:closed':
      return rooms.filter((r) => r.id !== event.roomId);
    case 'rooms:occupancy':
      return withOccupancy(rooms, event.changes);
  }
}

/** Occupancy changes touch only the rooms already listed: a change never adds a room. */
function withOccupancy(rooms: readonly Room[], changes: readonly OccupancyChange[]): Room[] {
  const byRoom = new Map(changes.map((change) => [change.roomId, change.occupancy]));
  return rooms.map((r) => {
    const occupancy = byRoom.get(r.id);
    return occupancy ? { ...r, occupancy } : r;
  });
}

/** Broadcast rooms omit owner-only and invitee-only fields; keep the ones we already had from our own request. */
function mergeOwnerFields(known: Room, update: Room): Room {
  return {
    ...update,
    ...(update.inviteCode === undefined && known.inviteCode !== undefined ? { inviteCode: known.inviteCode } : {}),
    ...(update.allowedUsers === undefined && known.allowedUsers !== undefined ? { allowedUsers: known.allowedUsers } : {}),
    ...(update.invitations === undefined && known.invitations !== undefined ? { invitations: known.invitations } : {}),
    ...(update.invitation === undefined && known.invitation !== undefined ? { invitation: known.invitation } : {}),
  };
}

/** Delay before reconnect attempt n (1-based) of the live feed: 1 s doubling to 30 s, with jitter. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}
