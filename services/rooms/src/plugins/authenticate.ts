import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, type PlatformTokenClaims } from '@meshcall/shared';
import { bearerTokenFrom, type JwtVerifier } from '@meshcall/server-kit';
import type { Caller } from '../rooms/room-service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user or guest; set on every route registered behind `requireAccessToken`. */
    caller: Caller;
  }
  interface FastifyContextConfig {
    /**
     * The route also takes a guest token (for the guest's own room; RoomService checks which).
     * Every other route refuses guests with 403 GUEST_NOT_ALLOWED.
     */
    guests?: boolean;
  }
}

/**
 * Refuses every request of this plugin scope without a valid access token (401), before its
 * body is even validated, and records who is calling. Tokens are verified locally against
 * auth's JWKS with algorithm, issuer and audience pinned (server-kit). A guest token passes only
 * on routes marked `config: { guests: true }`: guests are refused by default, so a new route
 * never lets them in by accident.
 */
export function requireAccessToken(scope: FastifyInstance, verifier: JwtVerifier<PlatformTokenClaims>): void {
  scope.decorateRequest('caller', null as unknown as Caller);
  scope.addHook('onRequest', async (request: FastifyRequest) => {
    const claims = await verifier.verify(bearerTokenFrom(request.headers.authorization));
    if (claims.typ === 'access') {
      request.caller = { id: claims.sub, name: claims.name };
      return;
    }
    if (request.routeOptions.config.guests !== true) throw new AppError(ErrorCode.GUEST_NOT_ALLOWED);
    request.caller = { id: claims.sub, name: claims.name, guestOf: claims.room };
  });
}
