import type { BaseApp } from '@meshcall/server-kit';
import { jwksSchema, type AccessTokens } from '../tokens/access-tokens.js';

/** How long verifiers may cache the key set; they refetch anyway when they meet an unknown kid. */
const JWKS_MAX_AGE_SECONDS = 300;

export function registerJwksRoutes(app: BaseApp, deps: { accessTokens: AccessTokens }): void {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        summary: 'Public keys that verify access tokens (the current one, and the previous one during a rotation)',
        tags: ['keys'],
        response: { 200: jwksSchema },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
      return deps.accessTokens.jwks();
    },
  );
}
