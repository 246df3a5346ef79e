import { createHmac } from 'node:crypto';

export interface TurnCredentials {
  /** `<expiry unix seconds>:<user id>`: coturn reads the expiry from it and refuses it afterwards. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)): coturn recomputes it with the same shared secret. */
  credential: string;
  /** Unix seconds after which coturn refuses these credentials. */
  expiresAt: number;
}

/**
 * Time-limited TURN credentials per the TURN REST API scheme that coturn implements with
 * `use-auth-secret` (draft-uberti-behave-turn-rest). Nothing is stored: coturn verifies them
 * from the shared secret alone, so the secret must never leave rooms and coturn.
 */
export function createTurnCredentials(secret: string, userId: string, ttlSeconds: number, nowMs: number = Date.now()): TurnCredentials {
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiresAt}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}
