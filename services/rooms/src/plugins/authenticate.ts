import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessTokenClaims } from '@meshcall/shared';
import { bearerTokenFrom, type JwtVerifier } from '@meshcall/server-kit';
import type { Caller } from '../rooms/room-service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user; set on every route registered behind `requireAccessToken`. */
    caller: Caller;
  }
}

/**
 * Refuses every request of this plugin scope without a valid access token (401), before its
 * body is even validated, and records who is calling. Tokens are verified locally against
 * auth's JWKS with algorithm, issuer and audience pinned (server-kit).
 */
export function requireAccessToken(scope: FastifyInstance, verifier: JwtVerifier<AccessTokenClaims>): void {
  scope.decorateRequest('caller', null as unknown as Caller);
  scope.addHook('onRequest', async (request: FastifyRequest) => {
    const claims = await verifier.verify(bearerTokenFrom(request.headers.authorization));
    request.caller = { id: claims.sub, name: claims.name };
  });
}
