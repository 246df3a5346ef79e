import { inviteCodeSchema, roomIdSchema } from '@meshcall/shared';

export interface RoomReference {
  roomId: string;
  invite?: string;
}

/**
 * Reads what a user pasted into "join by id": a bare room id, or a whole invite link
 * (`https://host/room/ID?invite=CODE`). An invite typed separately wins over one in the link.
 */
export function parseRoomReference(input: string, separateInvite = ''): RoomReference | null {
  const text = input.trim();
  let roomId = text;
  let invite = separateInvite.trim();
  const linkMatch = /\/room\/([^/?#\s]+)(?:[^?#\s]*)?(?:\?([^#\s]*))?/.exec(text);
  if (linkMatch) {
    roomId = decodeURIComponent(linkMatch[1] ?? '');
    const fromLink = new URLSearchParams(linkMatch[2] ?? '').get('invite') ?? '';
    if (!invite) invite = fromLink;
  }
  if (!roomIdSchema.safeParse(roomId).success) return null;
  if (invite && !inviteCodeSchema.safeParse(invite).success) return null;
  return invite ? { roomId, invite } : { roomId };
}

/** The path of a room's page, with its invite when there is one. */
export function roomPath(roomId: string, invite?: string | null): string {
  const base = `/room/${encodeURIComponent(roomId)}`;
  return invite ? `${base}?invite=${encodeURIComponent(invite)}` : base;
}

/**
 * Where to go after signing in: only a path on this site, so a crafted `?next=` cannot send the
 * user to another origin (`//evil.example`, `https://…`, `/\evil`).
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // Whitespace and control characters have no place in our paths and can smuggle a second URL.
  if ([...next].some((ch) => ch.trim() === '' || ch.charCodeAt(0) < 0x20)) return '/';
  return next;
}
