import { Schema, type Connection, type Model, type Types } from 'mongoose';

/*
 * Refresh tokens are kept in three insert-only collections. Inserting a document whose `_id`
 * already exists is the one operation that is atomic on both MongoDB 7 and FerretDB 1.24: FerretDB
 * evaluates findAndModify and conditional updates as a read followed by a write, so two requests
 * could both "win" a findOneAndUpdate on the current hash (our concurrency test caught exactly
 * that). Claiming a token by inserting its hash as an `_id` lets exactly one request exchange it.
 */

export type RevocationReason = 'sign-out' | 'sign-out-everywhere' | 'reuse';

/** One issued refresh token, keyed by its SHA-256 (the token itself is never stored). */
export interface IssuedRefreshTokenFields {
  _id: string;
  /** The sign-in it belongs to; every token of one sign-in on one device shares it. */
  familyId: string;
  userId: Types.ObjectId;
  expiresAt: Date;
}

/** Proof that a token was exchanged: its `_id` (the token hash) can be inserted only once. */
export interface RefreshTokenUseFields {
  _id: string;
  familyId: string;
  userId: Types.ObjectId;
  /** Same as the token's: after that a replay is refused as expired anyway. */
  expiresAt: Date;
  usedAt: Date;
}

/** A revoked family, keyed by family id, so revocation is a single insert that nothing can undo. */
export interface FamilyRevocationFields {
  _id: string;
  userId: Types.ObjectId;
  reason: RevocationReason;
  revokedAt: Date;
  /** Every token of the family has expired by then, so the record can go. */
  expiresAt: Date;
}

export interface RefreshTokenModels {
  issued: Model<IssuedRefreshTokenFields>;
  uses: Model<RefreshTokenUseFields>;
  revocations: Model<FamilyRevocationFields>;
}

// Indexes are built explicitly once connected (see indexes.ts), not by mongoose in the background.
const options = { autoIndex: false, autoCreate: false, versionKey: false } as const;

const issuedSchema = new Schema<IssuedRefreshTokenFields>(
  {
    _id: { type: String, required: true },
    familyId: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
  },
  options,
);

const useSchema = new Schema<RefreshTokenUseFields>(
  {
    _id: { type: String, required: true },
    familyId: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, required: true },
  },
  options,
);

const revocationSchema = new Schema<FamilyRevocationFields>(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    reason: { type: String, enum: ['sign-out', 'sign-out-everywhere', 'reuse'], required: true },
    revokedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  options,
);

// No TTL indexes: FerretDB 1.24 does not implement expireAfterSeconds. A periodic job deletes
// expired records (plugins/expired-token-janitor.ts), and every read checks expiry itself.
for (const schema of [issuedSchema, useSchema, revocationSchema]) schema.index({ expiresAt: 1 });
// "Sign out everywhere" finds a user's live families.
issuedSchema.index({ userId: 1, expiresAt: 1 });

export function refreshTokenModels(connection: Connection): RefreshTokenModels {
  return {
    issued: connection.model<IssuedRefreshTokenFields>('IssuedRefreshToken', issuedSchema, 'refresh_tokens'),
    uses: connection.model<RefreshTokenUseFields>('RefreshTokenUse', useSchema, 'refresh_token_uses'),
    revocations: connection.model<FamilyRevocationFields>('RefreshFamilyRevocation', revocationSchema, 'refresh_family_revocations'),
  };
}
