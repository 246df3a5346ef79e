import type { Redis } from 'ioredis';
import { redisChannels, redisKeys, type SessionsRevokedMessage } from '@meshcall/shared';

/**
 * Margin on top of the access-token lifetime: a refresh racing the sign-out can mint one more
 * token for the session a moment after it was revoked, and clocks of the services differ a little.
 */
const CLOCK_AND_RACE_MARGIN_SECONDS = 60;

export interface RevokedSessions {
  /**
   * Makes every service refuse the sessions' access tokens until they have expired anyway, and
   * tells signaling to drop the sessions' live sockets.
   */
  revoke(sessionIds: readonly string[]): Promise<void>;
}

/**
 * The revocation set every service checks (server-kit's sessionRevocationCheck): one key per
 * signed-out session, expiring once no access token of it can still be valid, so the set never
 * grows beyond the sessions signed out within one access-token lifetime.
 */
export function createRevokedSessions(redis: Redis, accessTokenTtlSeconds: number): RevokedSessions {
  const ttl = accessTokenTtlSeconds + CLOCK_AND_RACE_MARGIN_SECONDS;
  return {
    async revoke(sessionIds) {
      if (sessionIds.length === 0) return;
      // A pipeline, not MULTI: the keys of several sessions need not share a Redis Cluster slot.
      const pipeline = redis.pipeline();
      for (const sessionId of sessionIds) pipeline.set(redisKeys.revokedSession(sessionId), '1', 'EX', ttl);
      // Last, so a replica that hears of it finds the keys already written.
      pipeline.publish(redisChannels.sessionsRevoked, JSON.stringify({ sessionIds: [...sessionIds] } satisfies SessionsRevokedMessage));
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error !== null);
      if (!results || failed) throw failed?.[0] ?? new Error('the revocation pipeline returned no results');
    },
  };
}
