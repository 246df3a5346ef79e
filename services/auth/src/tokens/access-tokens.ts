import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, createLocalJWKSet, type JWK } from 'jose';
import { z } from 'zod';
import {
  ErrorCode,
  TOKEN_ALGORITHM,
  TokenAudience,
  TokenIssuer,
  platformTokenClaimsSchema,
  type AccessTokenClaims,
  type PublicGuest,
} from '@meshcall/shared';
import {
  accountsOnly,
  createJwtVerifier,
  jwksDocument,
  sessionRevocationCheck,
  type JwtVerifier,
  type SessionRevocationReader,
  type SigningKey,
} from '@meshcall/server-kit';

/** One published public key; the fields server-kit's loadSigningKey/loadPublicKey always set. */
const publishedJwkSchema = z.object({
  kty: z.string(),
  crv: z.string(),
  x: z.string(),
  y: z.string(),
  kid: z.string(),
  alg: z.string(),
  use: z.string(),
});

/** The document at `/.well-known/jwks.json`. */
export const jwksSchema = z.object({ keys: z.array(publishedJwkSchema).min(1) });
export type Jwks = z.infer<typeof jwksSchema>;

export interface AccessTokenSubject {
  userId: string;
  name: string;
  /** The refresh-token family the token belongs to, its `sid`: signing that session out revokes the token. */
  sessionId: string;
}

export interface IssuedToken {
  accessToken: string;
  /** Seconds until it expires. */
  expiresIn: number;
}

export interface AccessTokens {
  /** Signs a new access token for the user; `expiresIn` is in seconds. */
  issue(subject: AccessTokenSubject): Promise<IssuedToken>;
  /**
   * Signs a guest token (`typ: 'guest'`): a new random guest id, the chosen name and the one room
   * it opens, for GUEST_TOKEN_TTL (2 h by default) and no refresh. Which room lets guests in is for rooms
   * to decide at every use (see the README), so nothing here looks the room up.
   */
  issueGuest(subject: { name: string; roomId: string }): Promise<IssuedToken & { guest: PublicGuest }>;
  /**
   * Verifies with the algorithm, issuer and audience pinned, against the keys we publish, and
   * refuses tokens of a signed-out session; a guest token is refused as GUEST_NOT_ALLOWED, since
   * everything auth serves with a token is an account's.
   */
  verify(token: string): Promise<AccessTokenClaims>;
  /** The document served at `/.well-known/jwks.json`. */
  jwks(): Jwks;
}

export interface AccessTokenOptions {
  signingKey: SigningKey;
  /** The key being retired during a rotation: still published (and accepted) so nobody is signed out. */
  previousPublicKey: JWK | undefined;
  ttlSeconds: number;
  /** Lifetime of a guest token (GUEST_TOKEN_TTL); there is no refresh. */
  guestTtlSeconds: number;
  /** The revocation set of signed-out sessions (Redis), the same one rooms and signaling check. */
  revocations: SessionRevocationReader;
}

export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const { signingKey, previousPublicKey, ttlSeconds, guestTtlSeconds, revocations } = options;
  const published = [signingKey.publicJwk];
  if (previousPublicKey && previousPublicKey.kid !== signingKey.kid) published.push(previousPublicKey);
  const document = jwksSchema.parse(jwksDocument(published));
  // Verifying our own tokens through the same key set other services fetch keeps one code path
  // for "which keys count": exactly the ones in the JWKS.
  const verifier: JwtVerifier<AccessTokenClaims> = accountsOnly(createJwtVerifier({
    keys: createLocalJWKSet(document),
    issuer: TokenIssuer.auth,
    audience: TokenAudience.platform,
    claims: platformTokenClaimsSchema,
    invalidCode: ErrorCode.UNAUTHORIZED,
    isRevoked: sessionRevocationCheck(revocations),
  }));

  const sign = async (claims: Record<string, unknown>, subject: string, lifetimeSeconds: number): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: signingKey.kid, typ: 'JWT' })
      .setIssuer(TokenIssuer.auth)
      .setAudience(TokenAudience.platform)
      .setSubject(subject)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetimeSeconds)
      .setJti(randomUUID())
      .sign(signingKey.privateKey);
  };

  return {
    async issue({ userId, name, sessionId }) {
      const accessToken = await sign({ name, typ: 'access', sid: sessionId }, userId, ttlSeconds);
      return { accessToken, expiresIn: ttlSeconds };
    },
    async issueGuest({ name, roomId }) {
      // Shaped like an account id (24 hex digits) so seats and bans handle guests as they handle
      // anyone; 96 random bits never meet an ObjectId in practice, and `typ` tells them apart anyway.
      const guestId = randomBytes(12).toString('hex');
      const accessToken = await sign({ name, typ: 'guest', room: roomId, sid: randomUUID() }, guestId, guestTtlSeconds);
      return { accessToken, expiresIn: guestTtlSeconds, guest: { id: guestId, name, roomId } };
    },
    verify: (token) => verifier.verify(token),
    jwks: () => document,
  };
}
