import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { isDuplicateKeyError } from './duplicate-key.js';
import type { RefreshTokenModels, RevocationReason } from './refresh-token-models.js';

export type RotationResult =
  /** The presented token was valid and is now spent; `nextHash` is the family's new token. */
  | { outcome: 'rotated'; familyId: string; userId: string }
  /** The presented token had already been exchanged: the family is now revoked. */
  | { outcome: 'reuse-detected'; familyId: string; userId: string }
  /** Unknown, expired, or of a family already revoked. */
  | { outcome: 'rejected' };

export interface RefreshTokenRepository {
  /** Starts a family for a new sign-in; returns its id (the access tokens' `sid`). */
  startFamily(input: { userId: string; tokenHash: string; expiresAt: Date }): Promise<{ familyId: string }>;
  /** Exchanges the presented token for the next one, or detects a replay and revokes the family. */
  rotate(input: { presentedHash: string; nextHash: string; nextExpiresAt: Date; now: Date }): Promise<RotationResult>;
  /** Revokes the family the token belongs to; null when the token is unknown. */
  revokeFamilyOf(tokenHash: string, reason: RevocationReason, now: Date): Promise<{ familyId: string; userId: string } | null>;
  /**
   * Revokes every family of the user that still has an unexpired token ("sign out everywhere");
   * returns their ids.
   */
  revokeAllFamiliesOf(userId: string, reason: RevocationReason, now: Date): Promise<string[]>;
  /** Deletes every record whose token has expired (FerretDB has no TTL indexes to do it). */
  pruneExpired(now: Date): Promise<number>;
}

export function createRefreshTokenRepository(models: RefreshTokenModels, refreshTtlSeconds: number): RefreshTokenRepository {
  const { issued, uses, revocations } = models;

  async function revoke(familyId: string, userId: Types.ObjectId, reason: RevocationReason, now: Date): Promise<void> {
    try {
      await revocations.create({
        _id: familyId,
        userId,
        reason,
        revokedAt: now,
        // Tokens of the family issued up to now expire within one refresh lifetime.
        expiresAt: new Date(now.getTime() + refreshTtlSeconds * 1000),
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error; // already revoked: nothing to add
    }
  }

  return {
    async startFamily({ userId, tokenHash, expiresAt }) {
      const familyId = randomUUID();
      await issued.create({ _id: tokenHash, familyId, userId: new Types.ObjectId(userId), expiresAt });
      return { familyId };
    },

    async rotate({ presentedHash, nextHash, nextExpiresAt, now }) {
      const token = await issued.findOne({ _id: { $eq: presentedHash } });
      if (!token || token.expiresAt <= now) return { outcome: 'rejected' };
      if (await revocations.exists({ _id: { $eq: token.familyId } })) return { outcome: 'rejected' };
      const { familyId, userId } = token;
      try {
        // The claim: of any number of requests presenting this token, one insert succeeds.
        await uses.create({ _id: presentedHash, familyId, userId, expiresAt: token.expiresAt, usedAt: now });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // Spent already: whoever presents it now, or the one who did before, holds a copy.
        await revoke(familyId, userId, 'reuse', now);
        return { outcome: 'reuse-detected', familyId, userId: userId.toHexString() };
      }
      await issued.create({ _id: nextHash, familyId, userId, expiresAt: nextExpiresAt });
      return { outcome: 'rotated', familyId, userId: userId.toHexString() };
    },

    async pruneExpired(now) {
      const expired = { expiresAt: { $lte: now } };
      const results = await Promise.all([issued.deleteMany(expired), uses.deleteMany(expired), revocations.deleteMany(expired)]);
      return results.reduce((sum, result) => sum + result.deletedCount, 0);
    },

    async revokeFamilyOf(tokenHash, reason, now) {
      const token = await issued.findOne({ _id: { $eq: tokenHash } });
      if (!token) return null;
      await revoke(token.familyId, token.userId, reason, now);
      return { familyId: token.familyId, userId: token.userId.toHexString() };
    },

    async revokeAllFamiliesOf(userId, reason, now) {
      const owner = new Types.ObjectId(userId);
      // Every family whose access tokens may still be valid has an issued token that has not
      // expired: each refresh (which mints an access token) also issues one living far longer.
      const live = await issued.find({ userId: { $eq: owner }, expiresAt: { $gt: now } }, { familyId: 1 }).lean();
      const familyIds = [...new Set(live.map((token) => token.familyId))];
      await Promise.all(familyIds.map((familyId) => revoke(familyId, owner, reason, now)));
      return familyIds;
    },
  };
}
