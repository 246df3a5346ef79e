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
export type RoomAccess = { granted: true; role: RoomRole } | { granted: false; reason: 'hidden' | 'bad-invite' | 'guests-off' };

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A guest (no account, a guest token for this room) gets in only with the room's current invite
 * code, and only while the owner lets guests in: rotating the code or turning guests off takes
 * effect at the guest's next request. Without the code a guest is a stranger (hidden), so a guest
 * token alone reveals nothing. Checking the code first means "guests are off" is only ever told
 * to someone holding a valid link.
 */
export function guestAccessTo(room: RoomRecord, invite?: string): RoomAccess {
  const link = inviteLinkCheck(room, invite);
  if (link !== 'valid') return { granted: false, reason: link };
  if (!room.guestAccess) return { granted: false, reason: 'guests-off' };
  return { granted: true, role: 'member' };
}

/** Whether `invite` is the room's current invite code; rooms without invite links (public ones) are hidden. */
export function inviteLinkCheck(room: RoomRecord, invite?: string): 'valid' | 'hidden' | 'bad-invite' {
  if (invite === undefined || room.inviteCode === null) return 'hidden';
  return sameSecret(invite, room.inviteCode) ? 'valid' : 'bad-invite';
}

export function accessTo(room: RoomRecord, userId: string, invite?: string): RoomAccess {
  if (room.ownerId === userId) return { granted: true, role: 'owner' };
  if (room.visibility === 'public' || room.allowedUsers.includes(userId)) return { granted: true, role: 'member' };
  if (invite === undefined) return { granted: false, reason: 'hidden' };
  if (room.inviteCode !== null && sameSecret(invite, room.inviteCode)) return { granted: true, role: 'member' };
  return { granted: false, reason: 'bad-invite' };
}
