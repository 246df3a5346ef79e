import { ErrorCode, guestSessionBodySchema, guestSessionResponseSchema } from '@meshcall/shared';
import type { BaseApp } from '@meshcall/server-kit';
import type { FastifyRequest } from 'fastify';
import type { AuthMetrics } from '../auth-metrics.js';
import type { AccessTokens } from '../tokens/access-tokens.js';
import { errorResponses } from './error-responses.js';

export interface GuestRouteDeps {
  accessTokens: AccessTokens;
  checkOrigin: (request: FastifyRequest) => Promise<void>;
  metrics: AuthMetrics;
}

/**
 * `POST /guest`: a guest session for someone without an account who opened an invite link. The
 * token opens one room; rooms decides at every use whether that room still lets guests in and
 * whether the invite code is still good. Flood-limited per client address at the gateway, in the
 * same zone as sign-up (infra/nginx).
 */
export function registerGuestRoutes(app: BaseApp, deps: GuestRouteDeps): void {
  app.post(
    '/guest',
    {
      onRequest: deps.checkOrigin,
      schema: {
        summary: 'Start a guest session for one room (no account, no refresh token)',
        description:
          'Answers a guest token (typ "guest", 2 hours) bound to `roomId` with the chosen display name. Rooms accepts it only for that room’s preview, join and ICE servers, and only while the owner lets guests in and with the room’s current invite code; every route that needs an account refuses it with 403 GUEST_NOT_ALLOWED.',
        tags: ['session'],
        body: guestSessionBodySchema,
        response: { 201: guestSessionResponseSchema, ...errorResponses(ErrorCode.INVALID_PAYLOAD, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED) },
      },
    },
    async (request, reply) => {
      const issued = await deps.accessTokens.issueGuest({ name: request.body.name, roomId: request.body.roomId });
      deps.metrics.guestSessions.inc();
      void reply.header('cache-control', 'no-store');
      return reply.status(201).send(issued);
    },
  );
}
