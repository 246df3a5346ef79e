import { Schema, type Connection, type Model, type Types } from 'mongoose';

export type RevocationReason = 'sign-out' | 'reuse';

/**
 * One sign-in on one device: the refresh token currently valid for it and every token it has
 * retired. Rotation and revocation each touch only this document, so they are atomic without
 * transactions (which FerretDB lacks).
 */
export interface RefreshFamilyFields {
  userId: Types.ObjectId;
  /** SHA-256 of the only token that may be presented next; the token itself is never stored. */
  currentHash: string;
  /** SHA-256 of every token this family has already exchanged; presenting one is a replay. */
  retiredHashes: string[];
  rotations: number;
  /** When the current token stops working (each rotation pushes it out by the refresh lifetime). */
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: RevocationReason | null;
  createdAt: Date;
  updatedAt: Date;
}

export type RefreshFamilyModel = Model<RefreshFamilyFields>;

const refreshFamilySchema = new Schema<RefreshFamilyFields, RefreshFamilyModel>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    currentHash: { type: String, required: true },
    retiredHashes: { type: [String], default: [] },
    rotations: { type: Number, default: 0 },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    revokedReason: { type: String, enum: ['sign-out', 'reuse'], default: null },
  },
  { timestamps: true, autoIndex: false, autoCreate: false },
);
refreshFamilySchema.index({ currentHash: 1 }, { unique: true });
refreshFamilySchema.index({ retiredHashes: 1 });
refreshFamilySchema.index({ userId: 1 });
// No TTL index: FerretDB 1.24 does not implement expireAfterSeconds, so expired families are
// pruned when their user signs in again (see RefreshFamilyRepository.start) and every query
// checks expiresAt itself.

export function refreshFamilyModel(connection: Connection): RefreshFamilyModel {
  return connection.model<RefreshFamilyFields, RefreshFamilyModel>('RefreshFamily', refreshFamilySchema, 'refresh_token_families');
}
