import type { RefreshTokenRepository } from '../repositories/refresh-token-repository.js';
import type { AccessTokens } from '../tokens/access-tokens.js';
import { generateRefreshToken, hashRefreshToken, isWellFormedRefreshToken } from '../tokens/refresh-token.js';
import type { Accounts } from '../accounts/accounts.js';
import type { RevokedSessions } from './revoked-sessions.js';

export interface SessionTokens {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  /** Goes only into the httpOnly cookie, never into a response body. */
  refreshToken: string;
}

export type RefreshResult =
  | { ok: true; tokens: SessionTokens }
  | { ok: false; reason: 'missing' | 'rejected' }
  /** A retired token came back: someone else holds a copy, so the whole family is now revoked. */
  | { ok: false; reason: 'reuse-detected'; familyId: string; userId: string };

export interface Sessions {
  /** Signs the user in on a new device: a new refresh-token family and an access token. */
  start(user: { id: string; name: string }): Promise<SessionTokens>;
  /** Exchanges a refresh token for a new pair; the presented one is retired. */
  refresh(refreshToken: string | undefined): Promise<RefreshResult>;
  /**
   * Signs out: revokes the family of the presented token, if any, and its access tokens at every
   * service.
   */
  end(refreshToken: string | undefined): Promise<void>;
  /** Signs the user out on every device: every family and every access token. Returns how many sessions ended. */
  endEverywhere(userId: string): Promise<number>;
}

export interface SessionOptions {
  accounts: Accounts;
  refreshTokens: RefreshTokenRepository;
  accessTokens: AccessTokens;
  revokedSessions: RevokedSessions;
  refreshTtlSeconds: number;
}

export function createSessions({ accounts, refreshTokens, accessTokens, revokedSessions, refreshTtlSeconds }: SessionOptions): Sessions {
  const refreshExpiry = (now: Date) => new Date(now.getTime() + refreshTtlSeconds * 1000);

  return {
    async start(user) {
      const refreshToken = generateRefreshToken();
      const { familyId } = await refreshTokens.startFamily({
        userId: user.id,
        tokenHash: hashRefreshToken(refreshToken),
        expiresAt: refreshExpiry(new Date()),
      });
      return { ...(await accessTokens.issue({ userId: user.id, name: user.name, sessionId: familyId })), refreshToken };
    },

    async refresh(presented) {
      if (presented === undefined || presented === '') return { ok: false, reason: 'missing' };
      if (!isWellFormedRefreshToken(presented)) return { ok: false, reason: 'rejected' };
      const now = new Date();
      const refreshToken = generateRefreshToken();
      const rotation = await refreshTokens.rotate({
        presentedHash: hashRefreshToken(presented),
        nextHash: hashRefreshToken(refreshToken),
        nextExpiresAt: refreshExpiry(now),
        now,
      });
      if (rotation.outcome === 'reuse-detected') {
        // Someone else holds a copy of this session: its access tokens must stop working too.
        await revokedSessions.revoke([rotation.familyId]);
        return { ok: false, reason: 'reuse-detected', familyId: rotation.familyId, userId: rotation.userId };
      }
      if (rotation.outcome === 'rejected') return { ok: false, reason: 'rejected' };
      // The access token carries the current display name, so it is read fresh on every refresh.
      const user = await accounts.findById(rotation.userId);
      if (!user) return { ok: false, reason: 'rejected' };
      const access = await accessTokens.issue({ userId: user._id.toHexString(), name: user.name, sessionId: rotation.familyId });
      return { ok: true, tokens: { ...access, refreshToken } };
    },

    async end(presented) {
      if (presented === undefined || !isWellFormedRefreshToken(presented)) return;
      const revoked = await refreshTokens.revokeFamilyOf(hashRefreshToken(presented), 'sign-out', new Date());
      if (revoked) await revokedSessions.revoke([revoked.familyId]);
    },

    async endEverywhere(userId) {
      const familyIds = await refreshTokens.revokeAllFamiliesOf(userId, 'sign-out-everywhere', new Date());
      await revokedSessions.revoke(familyIds);
      return familyIds.length;
    },
  };
}
