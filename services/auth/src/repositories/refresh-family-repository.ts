import { Types } from 'mongoose';
import type { RefreshFamilyModel, RevocationReason } from './refresh-family-model.js';

/**
 * Rotations one family may go through before its holder must sign in again. It bounds the
 * retired-hash list (about 80 bytes each, so at most ~400 kB) because FerretDB ignores `$slice`
 * in `$push`; at one rotation per 15-minute access token it is about seven weeks of continuous use.
 */
export const MAX_ROTATIONS_PER_FAMILY = 5000;

export type RotationResult =
  /** The presented token was current: it is now retired and `nextHash` is current. */
  | { outcome: 'rotated'; familyId: string; userId: string }
  /** The presented token had already been exchanged: the family is now revoked. */
  | { outcome: 'reuse-detected'; familyId: string; userId: string }
  /** Unknown, expired, worn out, or of a family already revoked. */
  | { outcome: 'rejected' };

export interface RefreshFamilyRepository {
  /** Starts a family for a new sign-in; also drops the user's families that have expired. */
  start(input: { userId: string; tokenHash: string; expiresAt: Date; now: Date }): Promise<void>;
  /** Exchanges the presented token for the next one in one atomic update, or detects a replay. */
  rotate(input: { presentedHash: string; nextHash: string; nextExpiresAt: Date; now: Date }): Promise<RotationResult>;
  /** Revokes the family the token belongs to (current or retired); null when there is none. */
  revokeByToken(tokenHash: string, reason: RevocationReason, now: Date): Promise<{ familyId: string; userId: string } | null>;
}

export function createRefreshFamilyRepository(families: RefreshFamilyModel): RefreshFamilyRepository {
  return {
    async start({ userId, tokenHash, expiresAt, now }) {
      const owner = new Types.ObjectId(userId);
      await families.deleteMany({ userId: owner, expiresAt: { $lte: now } });
      await families.create({ userId: owner, currentHash: tokenHash, retiredHashes: [], rotations: 0, expiresAt, revokedAt: null, revokedReason: null });
    },

    async rotate({ presentedHash, nextHash, nextExpiresAt, now }) {
      // The filter on the current hash makes this the single point of decision: of two requests
      // presenting the same token at once, only one matches; the other then finds the token
      // among the retired ones and revokes the family, as a replay should.
      const rotated = await families.findOneAndUpdate(
        {
          currentHash: { $eq: presentedHash },
          revokedAt: null,
          expiresAt: { $gt: now },
          rotations: { $lt: MAX_ROTATIONS_PER_FAMILY },
        },
        {
          $set: { currentHash: nextHash, expiresAt: nextExpiresAt },
          $push: { retiredHashes: presentedHash },
          $inc: { rotations: 1 },
        },
        { new: true, projection: { userId: 1 } },
      );
      if (rotated) return { outcome: 'rotated', familyId: rotated._id.toHexString(), userId: rotated.userId.toHexString() };

      const replayed = await families.findOneAndUpdate(
        { retiredHashes: { $eq: presentedHash }, revokedAt: null },
        { $set: { revokedAt: now, revokedReason: 'reuse' } },
        { new: true, projection: { userId: 1 } },
      );
      if (replayed) return { outcome: 'reuse-detected', familyId: replayed._id.toHexString(), userId: replayed.userId.toHexString() };
      return { outcome: 'rejected' };
    },

    async revokeByToken(tokenHash, reason, now) {
      const revoked = await families.findOneAndUpdate(
        { $or: [{ currentHash: { $eq: tokenHash } }, { retiredHashes: { $eq: tokenHash } }], revokedAt: null },
        { $set: { revokedAt: now, revokedReason: reason } },
        { new: true, projection: { userId: 1 } },
      );
      return revoked ? { familyId: revoked._id.toHexString(), userId: revoked.userId.toHexString() } : null;
    },
  };
}
