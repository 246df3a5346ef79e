import { timingSafeEqual } from 'node:crypto';
import type { RoomRole } from '@meshcall/shared';
import type { RoomRecord } from '../repositories/room-record.js';

/**
 * Who may see and join a room:
 * - the owner always (role owner);
 * - anyone signed in, for a public room;
 * - users on `allowedUsers`, and anyone presenting the current invite code, for a private one.
 *
 * A private room is `hidden` from everybody else, so its existence does not leak (404). A wrong
 * invite code is `bad-invite` (403): the caller already holds a link to this room, and telling
 * them the invite was replaced is more useful than pretending the room does not exist.
 */
export type RoomAccess = { granted: true; role: RoomRole } | { granted: false; reason: 'hidden' | 'bad-invite' };

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function accessTo(room: RoomRecord, userId: string, invite?: string): RoomAccess {
  if (room.ownerId === userId) return { granted: true, role: 'owner' };
  if (room.visibility === 'public' || room.allowedUsers.includes(userId)) return { granted: true, role: 'member' };
  if (invite === undefined) return { granted: false, reason: 'hidden' };
  if (room.inviteCode !== null && sameSecret(invite, room.inviteCode)) return { granted: true, role: 'member' };
  return { granted: false, reason: 'bad-invite' };
}
