import { randomUUID } from 'node:crypto';
import { SignJWT, createLocalJWKSet, type JWK } from 'jose';
import { z } from 'zod';
import { ErrorCode, TOKEN_ALGORITHM, TokenAudience, TokenIssuer, accessTokenClaimsSchema, type AccessTokenClaims } from '@meshcall/shared';
import {
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

export interface AccessTokens {
  /** Signs a new access token for the user; `expiresIn` is in seconds. */
  issue(subject: AccessTokenSubject): Promise<{ accessToken: string; expiresIn: number }>;
  /**
   * Verifies with the algorithm, issuer and audience pinned, against the keys we publish, and
   * refuses tokens of a signed-out session.
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
  /** The revocation set of signed-out sessions (Redis), the same one rooms and signaling check. */
  revocations: SessionRevocationReader;
}

export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  const { signingKey, previousPublicKey, ttlSeconds, revocations } = options;
  const published = [signingKey.publicJwk];
  if (previousPublicKey && previousPublicKey.kid !== signingKey.kid) published.push(previousPublicKey);
  const document = jwksSchema.parse(jwksDocument(published));
  // Verifying our own tokens through the same key set other services fetch keeps one code path
  // for "which keys count": exactly the ones in the JWKS.
  const verifier: JwtVerifier<AccessTokenClaims> = createJwtVerifier({
    keys: createLocalJWKSet(document),
    issuer: TokenIssuer.auth,
    audience: TokenAudience.platform,
    claims: accessTokenClaimsSchema,
    invalidCode: ErrorCode.UNAUTHORIZED,
    isRevoked: sessionRevocationCheck(revocations),
  });

  return {
    async issue({ userId, name, sessionId }) {
      const now = Math.floor(Date.now() / 1000);
      const accessToken = await new SignJWT({ name, typ: 'access', sid: sessionId })
        .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: signingKey.kid, typ: 'JWT' })
        .setIssuer(TokenIssuer.auth)
        .setAudience(TokenAudience.platform)
        .setSubject(userId)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .setJti(randomUUID())
        .sign(signingKey.privateKey);
      return { accessToken, expiresIn: ttlSeconds };
    },
    verify: (token) => verifier.verify(token),
    jwks: () => document,
  };
}
