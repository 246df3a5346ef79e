import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { z } from 'zod';
import { AppError, ErrorCode, TOKEN_ALGORITHM, TokenAudience, TokenIssuer, accessTokenClaimsSchema, type AccessTokenClaims } from '@meshcall/shared';

export interface JwtVerifierOptions<S extends z.ZodType> {
  /** A key set URL (fetched and cached by jose) or a local key lookup. */
  keys: string | JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /** Claims are parsed after the signature check, so a token of another kind is refused. */
  claims: S;
  /** The code a bad token is refused with (UNAUTHORIZED for access tokens, TICKET_INVALID for tickets). */
  invalidCode: ErrorCode;
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

/** Verifier for access tokens minted by auth, for rooms and signaling. */
export function createAccessTokenVerifier(jwksUrl: string): JwtVerifier<AccessTokenClaims> {
  return createJwtVerifier({
    keys: jwksUrl,
    issuer: TokenIssuer.auth,
    audience: TokenAudience.platform,
    claims: accessTokenClaimsSchema,
    invalidCode: ErrorCode.UNAUTHORIZED,
  });
}

/** Reads the token from an `Authorization: Bearer <token>` header value. */
export function bearerTokenFrom(header: string | undefined): string {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header ?? '');
  if (!match?.[1]) throw new AppError(ErrorCode.UNAUTHORIZED);
  return match[1];
}
