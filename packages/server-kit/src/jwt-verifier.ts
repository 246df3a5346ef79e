import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { z } from 'zod';
import {
  AppError,
  ErrorCode,
  TOKEN_ALGORITHM,
  TokenAudience,
  TokenIssuer,
  accessTokenClaimsSchema,
  platformTokenClaimsSchema,
  redisKeys,
  type AccessTokenClaims,
  type PlatformTokenClaims,
} from '@meshcall/shared';

export interface JwtVerifierOptions<S extends z.ZodType> {
  /** A key set URL (fetched and cached by jose) or a local key lookup. */
  keys: string | JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /** Claims are parsed after the signature check, so a token of another kind is refused. */
  claims: S;
  /** The code a bad token is refused with (UNAUTHORIZED for access tokens, TICKET_INVALID for tickets). */
  invalidCode: ErrorCode;
  /** Checked after the signature and claims: true refuses the token as `invalidCode`. */
  isRevoked?: (claims: z.infer<S>) => Promise<boolean>;
}

export interface JwtVerifier<T> {
  verify(token: string): Promise<T>;
  /** Readiness: the key set can be fetched. */
  isReachable(): Promise<boolean>;
}

/**
 * Verifies ES256 JWTs with the algorithm, issuer and audience pinned (jose refuses `alg: none`
 * and an HS256 token "signed" with the public key because only ES256 is allowed). A key set that
 * cannot be fetched is UNAVAILABLE, not a bad token.
 */
export function createJwtVerifier<S extends z.ZodType>(options: JwtVerifierOptions<S>): JwtVerifier<z.infer<S>> {
  const getKey =
    typeof options.keys === 'string'
      ? createRemoteJWKSet(new URL(options.keys), { cooldownDuration: 10_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 3_000 })
      : options.keys;
  const jwksUrl = typeof options.keys === 'string' ? options.keys : undefined;
  return {
    async verify(token) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          algorithms: [TOKEN_ALGORITHM],
          issuer: options.issuer,
          audience: options.audience,
        }));
      } catch (error) {
        if (error instanceof errors.JWKSTimeout || (error instanceof TypeError && /fetch/i.test(error.message))) {
          throw new AppError(ErrorCode.UNAVAILABLE, 'Token keys are not reachable right now; try again shortly.');
        }
        throw new AppError(options.invalidCode, error instanceof errors.JWTExpired ? 'The token has expired.' : undefined);
      }
      const parsed = options.claims.safeParse(payload);
      if (!parsed.success) throw new AppError(options.invalidCode);
      if (options.isRevoked && (await options.isRevoked(parsed.data))) {
        throw new AppError(options.invalidCode, 'This session has been signed out. Sign in again.');
      }
      return parsed.data;
    },
    async isReachable() {
      if (!jwksUrl) return true;
      const response = await fetch(jwksUrl, { signal: AbortSignal.timeout(1_500) });
      await response.body?.cancel();
      return response.ok;
    },
  };
}

/** The one Redis command the revocation check needs; an ioredis client fits. */
export interface SessionRevocationReader {
  exists(key: string): Promise<number>;
}

/**
 * Whether the token's session was signed out (auth writes `redisKeys.revokedSession`). A Redis
 * that does not answer refuses the token as UNAVAILABLE rather than letting a possibly signed-out
 * session through.
 */
export function sessionRevocationCheck(redis: SessionRevocationReader): (claims: { sid?: string | undefined }) => Promise<boolean> {
  return async (claims) => {
    // Tokens without a session id are not minted by auth any more; they cannot be signed out
    // individually and expire within the access-token lifetime.
    if (claims.sid === undefined) return false;
    let found: number;
    try {
      found = await redis.exists(redisKeys.revokedSession(claims.sid));
    } catch {
      throw new AppError(ErrorCode.UNAVAILABLE, 'Cannot check the session right now; try again shortly.');
    }
    return found > 0;
  };
}

/**
 * Verifier for access tokens minted by auth, for rooms and signaling: signature, issuer, audience
 * and claims, and then the session must not have been signed out.
 */
export function createAccessTokenVerifier(jwksUrl: string, revocations: SessionRevocationReader): JwtVerifier<AccessTokenClaims> {
  return createJwtVerifier({
    keys: jwksUrl,
    issuer: TokenIssuer.auth,
    audience: TokenAudience.platform,
    claims: accessTokenClaimsSchema,
    invalidCode: ErrorCode.UNAUTHORIZED,
    isRevoked: sessionRevocationCheck(revocations),
  });
}

/**
 * Verifier for what rooms and signaling accept at their edge: an account's access token or a guest
 * token (`typ: 'guest'`, bound to one room). Same checks as createAccessTokenVerifier; whoever uses
 * it must refuse guests wherever an account is needed (rooms: GUEST_NOT_ALLOWED).
 */
export function createPlatformTokenVerifier(jwksUrl: string, revocations: SessionRevocationReader): JwtVerifier<PlatformTokenClaims> {
  return createJwtVerifier({
    keys: jwksUrl,
    issuer: TokenIssuer.auth,
    audience: TokenAudience.platform,
    claims: platformTokenClaimsSchema,
    invalidCode: ErrorCode.UNAUTHORIZED,
    isRevoked: sessionRevocationCheck(revocations),
  });
}

/**
 * The same verifier for what only an account may do: a guest token is refused with 403
 * GUEST_NOT_ALLOWED (a clear "guests cannot do this", not a "sign in again" 401).
 */
export function accountsOnly(verifier: JwtVerifier<PlatformTokenClaims>): JwtVerifier<AccessTokenClaims> {
  return {
    async verify(token) {
      const claims = await verifier.verify(token);
      if (claims.typ === 'guest') throw new AppError(ErrorCode.GUEST_NOT_ALLOWED);
      return claims;
    },
    isReachable: () => verifier.isReachable(),
  };
}

/** Reads the token from an `Authorization: Bearer <token>` header value. */
export function bearerTokenFrom(header: string | undefined): string {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header ?? '');
  if (!match?.[1]) throw new AppError(ErrorCode.UNAUTHORIZED);
  return match[1];
}
