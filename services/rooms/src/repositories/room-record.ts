import type { RoomKind, RoomVisibility } from '@meshcall/shared';

/** A room as stored. Live state (seats, the lock newcomers see) is in Redis, not here. */
export interface RoomRecord {
  /** Short URL-safe id (nanoid), also the document `_id`. */
  id: string;
  name: string;
  kind: RoomKind;
  visibility: RoomVisibility;
  capacity: number;
  ownerId: string;
  ownerName: string;
  /** Users who accepted an invitation: they may see and join a private room without an invite code. */
  allowedUsers: string[];
  /** Users invited who have not accepted yet: they see the invitation, nothing more. */
  invitedUsers: string[];
  /** Display names of users who accepted, by user id (the owner's guest list, the ban list). */
  memberNames: Record<string, string>;
  /** Secret that lets anyone holding a link into a private room; null for public rooms. */
  inviteCode: string | null;
  /** Guests (no account) may join through the invite link; set by the owner, off by default. */
  guestAccess: boolean;
  /** Last lock state written by rooms or mirrored from signaling; Redis holds the live one. */
  locked: boolean;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

export type NewRoomRecord = Omit<RoomRecord, 'createdAt' | 'updatedAt' | 'closedAt' | 'locked' | 'allowedUsers' | 'memberNames'>;

export type RoomChanges = Partial<Pick<RoomRecord, 'name' | 'capacity' | 'locked' | 'guestAccess' | 'allowedUsers' | 'invitedUsers' | 'inviteCode'>>;

export interface Page {
  skip: number;
  limit: number;
}

/** Storage of rooms, the source of truth; the Mongo implementation is the only one, the interface keeps routes honest. */
export interface RoomRepository {
  create(room: NewRoomRecord): Promise<RoomRecord>;
  findById(id: string): Promise<RoomRecord | null>;
  /** Every open room, in batches of `batchSize`, in no particular order: what the lobby read model is rebuilt from. */
  openRooms(batchSize: number): AsyncIterable<RoomRecord[]>;
  /** Open rooms the user owns, accepted an invitation to, or is invited to, newest first. */
  listForMember(userId: string, page: Page): Promise<RoomRecord[]>;
  countForMember(userId: string): Promise<number>;
  /** Open rooms the user owns: what the per-account room quota counts while the read model is being rebuilt. */
  countOpenOwnedBy(ownerId: string): Promise<number>;
  /** Moves the user from invited to allowed, remembering their name; null when they were not invited (or the room closed). */
  acceptInvitation(id: string, userId: string, name: string, now: Date): Promise<RoomRecord | null>;
  /**
   * Puts the user on the guest list (allowed, name remembered, any pending invitation taken as
   * accepted): they came in with the invite code. Null when the room closed meanwhile.
   */
  admitByInviteCode(id: string, userId: string, name: string, now: Date): Promise<RoomRecord | null>;
  /** Drops the user's invitation, pending or accepted; null when they had none (or the room closed). */
  declineInvitation(id: string, userId: string, now: Date): Promise<RoomRecord | null>;
  /** Applies changes to an open room; null when the room is gone or closed meanwhile. */
  update(id: string, changes: RoomChanges, now: Date): Promise<RoomRecord | null>;
  /** Marks an open room closed; null when it was already closed (or does not exist). */
  close(id: string, now: Date): Promise<RoomRecord | null>;
  /** Whether a room is public and open, for filtering lobby events; null if unknown. */
  findVisibility(id: string): Promise<{ visibility: RoomRecord['visibility']; closed: boolean } | null>;
}
