import { Schema, type Connection, type Model, type FilterQuery } from 'mongoose';
import { ROOM_KINDS } from '@meshcall/shared';
import type { NewRoomRecord, Page, RoomChanges, RoomRecord, RoomRepository } from './room-record.js';

/** The stored shape: `_id` is the room id. */
export interface RoomDocument extends Omit<RoomRecord, 'id' | 'invitedUsers' | 'memberNames' | 'guestAccess'> {
  _id: string;
  /** Missing on rooms stored before guests existed: off. */
  guestAccess?: boolean;
  /** Missing on rooms stored before invitations had to be accepted. */
  invitedUsers?: string[];
  memberNames?: Record<string, string>;
}

export const roomSchema = new Schema<RoomDocument>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    kind: { type: String, required: true, enum: ROOM_KINDS },
    visibility: { type: String, required: true, enum: ['public', 'private'] },
    capacity: { type: Number, required: true },
    ownerId: { type: String, required: true },
    ownerName: { type: String, required: true },
    allowedUsers: { type: [String], default: [] },
    invitedUsers: { type: [String], default: [] },
    memberNames: { type: Map, of: String, default: {} },
    inviteCode: { type: String, default: null },
    guestAccess: { type: Boolean, default: false },
    locked: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    closedAt: { type: Date, default: null },
  },
  // Indexes are built explicitly once connected (autoIndex would race the retrying connect).
  { collection: 'rooms', versionKey: false, autoIndex: false, strict: 'throw' },
);

// The lobby is served from Redis (LobbyReadModel); MongoDB answers finds by id, "mine", the
// quota count while the read model is being rebuilt, and the rebuild itself (every open room).
// "Mine": rooms owned (also the quota count), and rooms a user accepted or is invited to (multikey).
roomSchema.index({ ownerId: 1, createdAt: -1 });
roomSchema.index({ allowedUsers: 1 });
roomSchema.index({ invitedUsers: 1 });

const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/**
 * Fields are picked one by one: documents written by earlier versions carry fields this one no
 * longer has (`nameLower`), and rooms stored before invitations had neither invitees nor names.
 */
function toRecord(document: RoomDocument): RoomRecord {
  return {
    id: document._id,
    name: document.name,
    kind: document.kind,
    visibility: document.visibility,
    capacity: document.capacity,
    ownerId: document.ownerId,
    ownerName: document.ownerName,
    allowedUsers: [...document.allowedUsers],
    invitedUsers: [...(document.invitedUsers ?? [])],
    memberNames: { ...(document.memberNames ?? {}) },
    inviteCode: document.inviteCode,
    guestAccess: document.guestAccess ?? false,
    locked: document.locked,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    closedAt: document.closedAt,
  };
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

  async *openRooms(batchSize: number): AsyncIterable<RoomRecord[]> {
    const cursor = this.model.find({ closedAt: null }).lean<RoomDocument[]>().cursor({ batchSize });
    let batch: RoomRecord[] = [];
    try {
      for await (const document of cursor) {
        batch.push(toRecord(document as RoomDocument));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await cursor.close();
    }
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

  async admitByInviteCode(id: string, userId: string, name: string, now: Date): Promise<RoomRecord | null> {
    const document = await this.model
      .findOneAndUpdate(
        { _id: id, closedAt: null },
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
