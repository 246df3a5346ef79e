import { AppError, ErrorCode, meResponseSchema } from '@meshcall/shared';
import { bearerTokenFrom, type BaseApp } from '@meshcall/server-kit';
import type { Accounts } from '../accounts/accounts.js';
import type { AccessTokens } from '../tokens/access-tokens.js';
import { errorResponses } from './error-responses.js';

export function registerMeRoutes(app: BaseApp, deps: { accounts: Accounts; accessTokens: AccessTokens; requireDatabase: () => Promise<void> }): void {
  app.get(
    '/me',
    {
      preHandler: deps.requireDatabase,
      schema: {
        summary: 'The signed-in user',
        tags: ['account'],
        security: [{ bearer: [] }],
        response: { 200: meResponseSchema, ...errorResponses(ErrorCode.UNAUTHORIZED, ErrorCode.GUEST_NOT_ALLOWED, ErrorCode.UNAVAILABLE) },
      },
    },
    async (request) => {
      const claims = await deps.accessTokens.verify(bearerTokenFrom(request.headers.authorization));
      const user = await deps.accounts.findById(claims.sub);
      // A valid token for an account that no longer exists is as good as no token.
      if (!user) throw new AppError(ErrorCode.UNAUTHORIZED);
      return { user: user.toPublicUser() };
    },
  );
}
