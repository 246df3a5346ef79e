import type { RedisClient } from '@meshcall/server-kit';
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
export function createRevokedSessions(redis: RedisClient, accessTokenTtlSeconds: number): RevokedSessions {
  const ttl = accessTokenTtlSeconds + CLOCK_AND_RACE_MARGIN_SECONDS;
  return {
    async revoke(sessionIds) {
      if (sessionIds.length === 0) return;
      // One write per session, all at once: their keys live in different slots of a Redis
      // Cluster, where neither MULTI nor a pipeline may span nodes.
      await Promise.all(sessionIds.map((sessionId) => redis.set(redisKeys.revokedSession(sessionId), '1', 'EX', ttl)));
      // Last, so a replica that hears of it finds the keys already written.
      await redis.publish(redisChannels.sessionsRevoked, JSON.stringify({ sessionIds: [...sessionIds] } satisfies SessionsRevokedMessage));
    },
  };
}
