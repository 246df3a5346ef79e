import {
  AppError,
  ErrorCode,
  loginBodySchema,
  refreshResponseSchema,
  registerBodySchema,
  sessionResponseSchema,
} from '@meshcall/shared';
import { bearerTokenFrom, type BaseApp } from '@meshcall/server-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Accounts } from '../accounts/accounts.js';
import type { AuthMetrics } from '../auth-metrics.js';
import { accountKeyOf, type DeviceCookies } from '../plugins/device-cookie.js';
import type { FailedSignInLimit } from '../plugins/failed-sign-in-limit.js';
import type { RefreshCookie } from '../plugins/refresh-cookie.js';
import type { Sessions } from '../sessions/sessions.js';
import type { AccessTokens } from '../tokens/access-tokens.js';
import { errorResponses } from './error-responses.js';

export interface SessionRouteDeps {
  accounts: Accounts;
  sessions: Sessions;
  cookie: RefreshCookie;
  failedSignIns: FailedSignInLimit;
  devices: DeviceCookies;
  accessTokens: AccessTokens;
  checkOrigin: (request: FastifyRequest) => Promise<void>;
  /** Refuses with 503 until the database (with its indexes) is usable. */
  requireDatabase: () => Promise<void>;
  metrics: AuthMetrics;
}

/** Token responses must never be cached by a browser or proxy (RFC 6749 §5.1). */
function noStore(reply: FastifyReply): void {
  void reply.header('cache-control', 'no-store');
}

/** Sign-up, sign-in, refresh and sign-out: every route that reads or sets the refresh cookie. */
export function registerSessionRoutes(app: BaseApp, deps: SessionRouteDeps): void {
  const { accounts, sessions, cookie, failedSignIns, devices, accessTokens, checkOrigin, requireDatabase, metrics } = deps;
  const guards = { onRequest: checkOrigin, preHandler: requireDatabase };

  app.post(
    '/register',
    {
      ...guards,
      schema: {
        summary: 'Create an account and sign in',
        tags: ['session'],
        body: registerBodySchema,
        response: { 201: sessionResponseSchema, ...errorResponses(ErrorCode.INVALID_PAYLOAD, ErrorCode.WEAK_PASSWORD, ErrorCode.FORBIDDEN, ErrorCode.EMAIL_TAKEN, ErrorCode.UNAVAILABLE) },
      },
    },
    async (request, reply) => {
      let user;
      try {
        user = (await accounts.register(request.body)).toPublicUser();
      } catch (error) {
        if (error instanceof AppError && error.code === ErrorCode.EMAIL_TAKEN) metrics.registrations.inc({ outcome: 'email_taken' });
        throw error;
      }
      metrics.registrations.inc({ outcome: 'created' });
      const { refreshToken, ...access } = await sessions.start(user);
      cookie.set(request, reply, refreshToken);
      devices.issue(request, reply, accountKeyOf(request.body.email));
      noStore(reply);
      return reply.status(201).send({ user, ...access });
    },
  );

  app.post(
    '/login',
    {
      ...guards,
      schema: {
        summary: 'Sign in with email and password',
        description:
          'Failed sign-ins back off exponentially per account and client address (or per device, for a browser holding a device cookie for the account) and are limited per address; while backing off the answer is 429 RATE_LIMITED with Retry-After. Success sets a device cookie.',
        tags: ['session'],
        body: loginBodySchema,
        response: {
          200: sessionResponseSchema,
          ...errorResponses(ErrorCode.INVALID_PAYLOAD, ErrorCode.INVALID_CREDENTIALS, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED, ErrorCode.UNAVAILABLE),
        },
      },
    },
    async (request, reply) => {
      let attempt;
      try {
        attempt = await failedSignIns.reserve(request, request.body.email, reply);
      } catch (error) {
        if (error instanceof AppError && error.code === ErrorCode.RATE_LIMITED) metrics.signIns.inc({ outcome: 'rate_limited' });
        throw error;
      }
      let found;
      try {
        found = await accounts.verifyCredentials(request.body);
      } catch (error) {
        // The database failing is not the caller's failed sign-in.
        await attempt.release();
        throw error;
      }
      if (!found) {
        metrics.signIns.inc({ outcome: 'invalid_credentials' });
        throw new AppError(ErrorCode.INVALID_CREDENTIALS);
      }
      await attempt.succeeded();
      metrics.signIns.inc({ outcome: 'success' });
      const user = found.toPublicUser();
      const { refreshToken, ...access } = await sessions.start(user);
      cookie.set(request, reply, refreshToken);
      // This browser now knows the password: its later attempts get a bucket of their own.
      devices.issue(request, reply, accountKeyOf(request.body.email));
      noStore(reply);
      return { user, ...access };
    },
  );

  app.post(
    '/refresh',
    {
      ...guards,
      schema: {
        summary: 'Exchange the refresh cookie for a new access token and a rotated cookie',
        description: 'Presenting a refresh token that was already exchanged revokes its whole family: the holder must sign in again.',
        tags: ['session'],
        response: { 200: refreshResponseSchema, ...errorResponses(ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN, ErrorCode.UNAVAILABLE) },
      },
    },
    async (request, reply) => {
      const result = await sessions.refresh(cookie.read(request));
      if (!result.ok) {
        metrics.refreshes.inc({ outcome: result.reason.replace('-', '_') });
        cookie.clear(request, reply);
        if (result.reason === 'reuse-detected') {
          request.log.warn({ familyId: result.familyId, userId: result.userId }, 'retired refresh token presented again; family revoked');
          throw new AppError(ErrorCode.UNAUTHORIZED, 'This session was ended for safety because its refresh token was used twice. Sign in again.');
        }
        throw new AppError(ErrorCode.UNAUTHORIZED);
      }
      metrics.refreshes.inc({ outcome: 'rotated' });
      const { refreshToken, ...access } = result.tokens;
      cookie.set(request, reply, refreshToken);
      noStore(reply);
      return access;
    },
  );

  app.post(
    '/logout',
    {
      ...guards,
      schema: {
        summary: 'Sign out: revoke the refresh-token family and its access tokens, and clear the cookie',
        tags: ['session'],
        response: { 204: z.null().describe('Signed out; the refresh cookie is cleared'), ...errorResponses(ErrorCode.FORBIDDEN, ErrorCode.UNAVAILABLE) },
      },
    },
    async (request, reply) => {
      await sessions.end(cookie.read(request));
      cookie.clear(request, reply);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/logout/everywhere',
    {
      ...guards,
      schema: {
        summary: 'Sign out on every device: revoke every session of the user and its access tokens',
        description:
          'Needs the access token of any live session of the user. Every refresh-token family is revoked, and every access token already issued is refused by every service from now on.',
        tags: ['session'],
        security: [{ bearer: [] }],
        response: {
          204: z.null().describe('Signed out everywhere; this browser’s refresh cookie is cleared'),
          ...errorResponses(ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN, ErrorCode.UNAVAILABLE),
        },
      },
    },
    async (request, reply) => {
      const claims = await accessTokens.verify(bearerTokenFrom(request.headers.authorization));
      const ended = await sessions.endEverywhere(claims.sub);
      request.log.info({ userId: claims.sub, sessions: ended }, 'signed out everywhere');
      cookie.clear(request, reply);
      return reply.status(204).send(null);
    },
  );
}
