import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, ErrorCode, type AccessTokenClaims } from '@meshcall/shared';
import type { JwtVerifier } from '@meshcall/server-kit';
import { serveLobbyConnection } from '../lobby/lobby-connection.js';
import type { LobbyHub } from '../lobby/lobby-hub.js';

export interface LiveRoutesOptions {
  hub: LobbyHub;
  accessTokens: JwtVerifier<AccessTokenClaims>;
  allowedOrigins: string[];
}

/**
 * `GET /live`: the lobby WebSocket. Authentication is the first message, not a header (browsers
 * cannot set one) and not a query parameter (URLs land in access logs), so a query is refused.
 * Browsers always send Origin on a WebSocket; a foreign one is refused before the upgrade.
 */
export const liveRoutes: FastifyPluginAsyncZod<LiveRoutesOptions> = async (app, { hub, accessTokens, allowedOrigins }) => {
  app.get(
    '/live',
    {
      websocket: true,
      schema: { hide: true, querystring: z.strictObject({}) },
      preValidation: async (request) => {
        const origin = request.headers.origin;
        if (origin !== undefined && !allowedOrigins.includes(origin)) {
          throw new AppError(ErrorCode.FORBIDDEN, 'This origin may not open the lobby.');
        }
      },
    },
    (socket, request) => serveLobbyConnection(socket, { hub, accessTokens, log: request.log }),
  );
};
