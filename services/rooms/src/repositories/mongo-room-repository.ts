import { Schema, type Connection, type Model, type FilterQuery } from 'mongoose';
import { ROOM_KINDS } from '@meshcall/shared';
import { literalPattern } from '../search/literal-pattern.js';
import type { NewRoomRecord, Page, PublicRoomFilter, RoomChanges, RoomRecord, RoomRepository } from './room-record.js';

/** The stored shape: `_id` is the room id, `nameLower` exists only to search names. */
export interface RoomDocument extends Omit<RoomRecord, 'id' | 'invitedUsers' | 'memberNames'> {
  _id: string;
  /** Missing on rooms stored before invitations had to be accepted. */
  invitedUsers?: string[];
  memberNames?: Record<string, string>;
  /** The name lower-cased once on write, so search needs no case-insensitive regex flag. */
  nameLower: string;
}

export const roomSchema = new Schema<RoomDocument>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    nameLower: { type: String, required: true },
    kind: { type: String, required: true, enum: ROOM_KINDS },
    visibility: { type: String, required: true, enum: ['public', 'private'] },
    capacity: { type: Number, required: true },
    ownerId: { type: String, required: true },
    ownerName: { type: String, required: true },
    allowedUsers: { type: [String], default: [] },
    invitedUsers: { type: [String], default: [] },
    memberNames: { type: Map, of: String, default: {} },
    inviteCode: { type: String, default: null },
    locked: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    closedAt: { type: Date, default: null },
  },
  // Indexes are built explicitly once connected (autoIndex would race the retrying connect).
  { collection: 'rooms', versionKey: false, autoIndex: false, strict: 'throw' },
);

// The lobby: open public rooms newest first, optionally of one kind. The `_id` tiebreaker of the
// sort is part of the key: without it MongoDB seeks the index but sorts every match in memory.
roomSchema.index({ visibility: 1, closedAt: 1, createdAt: -1, _id: -1 });
roomSchema.index({ visibility: 1, kind: 1, closedAt: 1, createdAt: -1, _id: -1 });
// "Mine": rooms owned, and rooms a user accepted or is invited to (multikey).
roomSchema.index({ ownerId: 1, createdAt: -1 });
roomSchema.index({ allowedUsers: 1 });
roomSchema.index({ invitedUsers: 1 });
// An unanchored regex cannot seek, but MongoDB can test it against index keys instead of whole documents.
roomSchema.index({ nameLower: 1 });

export const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

function toRecord(document: RoomDocument): RoomRecord {
  const { _id, nameLower: _nameLower, ...rest } = document;
  // Rooms stored before invitations existed have neither list of invitees nor names.
  return {
    id: _id,
    ...rest,
    allowedUsers: [...rest.allowedUsers],
    invitedUsers: [...(rest.invitedUsers ?? [])],
    memberNames: { ...(rest.memberNames ?? {}) },
  };
}

function publicFilter(filter: PublicRoomFilter): FilterQuery<RoomDocument> {
  const query: FilterQuery<RoomDocument> = { visibility: 'public', closedAt: null };
  if (filter.kind) query.kind = filter.kind;
  if (filter.nameContains) query.nameLower = { $regex: literalPattern(filter.nameContains.toLowerCase()) };
  return query;
}

function memberFilter(userId: string): FilterQuery<RoomDocument> {
  return { closedAt: null, $or: [{ ownerId: userId }, { allowedUsers: userId }, { invitedUsers: userId }] };
}

export class MongoRoomRepository implements RoomRepository {
  readonly model: Model<RoomDocument>;

  constructor(connection: Connection) {
    this.model = connection.model<RoomDocument>('Room', roomSchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }

  async create(room: NewRoomRecord): Promise<RoomRecord> {
    const now = new Date();
    const { id, ...fields } = room;
    const document: RoomDocument = {
      _id: id,
      ...fields,
      allowedUsers: [],
      memberNames: {},
      nameLower: room.name.toLowerCase(),
      locked: false,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    await this.model.create(document);
    return toRecord(document);
  }

  async findById(id: string): Promise<RoomRecord | null> {
    const document = await this.model.findById(id).lean<RoomDocument>().exec();
    return document ? toRecord(document) : null;
  }

  async findByIds(ids: string[]): Promise<RoomRecord[]> {
    if (ids.length === 0) return [];
    const documents = await this.model.find({ _id: { $in: ids } }).lean<RoomDocument[]>().exec();
    const byId = new Map(documents.map((document) => [document._id, toRecord(document)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async listPublic(filter: PublicRoomFilter, page: Page): Promise<RoomRecord[]> {
    const documents = await this.model.find(publicFilter(filter)).sort(NEWEST_FIRST).skip(page.skip).limit(page.limit).lean<RoomDocument[]>().exec();
    return documents.map(toRecord);
  }

  async countPublic(filter: PublicRoomFilter): Promise<number> {
    return this.model.countDocuments(publicFilter(filter)).exec();
  }

  async listPublicIdsNewest(filter: PublicRoomFilter, limit: number): Promise<string[]> {
    const documents = await this.model.find(publicFilter(filter), { _id: 1 }).sort(NEWEST_FIRST).limit(limit).lean<Array<{ _id: string }>>().exec();
    return documents.map((document) => document._id);
  }

  async listForMember(userId: string, page: Page): Promise<RoomRecord[]> {
    const documents = await this.model.find(memberFilter(userId)).sort(NEWEST_FIRST).skip(page.skip).limit(page.limit).lean<RoomDocument[]>().exec();
    return documents.map(toRecord);
  }

  async countForMember(userId: string): Promise<number> {
    return this.model.countDocuments(memberFilter(userId)).exec();
  }

  async countOpenOwnedBy(ownerId: string): Promise<number> {
    return this.model.countDocuments({ ownerId, closedAt: null }).exec();
  }

  async update(id: string, changes: RoomChanges, now: Date): Promise<RoomRecord | null> {
    const set: Partial<RoomDocument> = { ...changes, updatedAt: now };
    if (changes.name !== undefined) set.nameLower = changes.name.toLowerCase();
    const document = await this.model
      .findOneAndUpdate({ _id: id, closedAt: null }, { $set: set }, { new: true })
      .lean<RoomDocument>()
      .exec();
    return document ? toRecord(document) : null;
  }

  async acceptInvitation(id: string, userId: string, name: string, now: Date): Promise<RoomRecord | null> {
    const document = await this.model
      .findOneAndUpdate(
        { _id: id, closedAt: null, invitedUsers: userId },
        { $pull: { invitedUsers: userId }, $addToSet: { allowedUsers: userId }, $set: { [`memberNames.${userId}`]: name, updatedAt: now } },
        { new: true },
      )
      .lean<RoomDocument>()
      .exec();
    return document ? toRecord(document) : null;
  }

  async declineInvitation(id: string, userId: string, now: Date): Promise<RoomRecord | null> {
    const document = await this.model
      .findOneAndUpdate(
        { _id: id, closedAt: null, $or: [{ invitedUsers: userId }, { allowedUsers: userId }] },
        { $pull: { invitedUsers: userId, allowedUsers: userId }, $set: { updatedAt: now } },
        { new: true },
      )
      .lean<RoomDocument>()
      .exec();
    return document ? toRecord(document) : null;
  }

  async close(id: string, now: Date): Promise<RoomRecord | null> {
    const document = await this.model
      .findOneAndUpdate({ _id: id, closedAt: null }, { $set: { closedAt: now, updatedAt: now } }, { new: true })
      .lean<RoomDocument>()
      .exec();
    return document ? toRecord(document) : null;
  }

  async findVisibility(id: string): Promise<{ visibility: RoomRecord['visibility']; closed: boolean } | null> {
    const document = await this.model.findById(id, { visibility: 1, closedAt: 1 }).lean<Pick<RoomDocument, 'visibility' | 'closedAt'>>().exec();
    return document ? { visibility: document.visibility, closed: document.closedAt !== null } : null;
  }
}
