import type { FastifyReply, FastifyRequest } from 'fastify';
import { REFRESH_COOKIE_NAME, REFRESH_COOKIE_PATH } from '@meshcall/shared';

export interface RefreshCookie {
  read(request: FastifyRequest): string | undefined;
  set(request: FastifyRequest, reply: FastifyReply, token: string): void;
  clear(request: FastifyRequest, reply: FastifyReply): void;
}

/**
 * The refresh token's only carrier: HttpOnly so scripts cannot read it, SameSite=Strict so other
 * sites cannot make the browser send it, scoped to the auth path the browser sees (the gateway
 * strips it before we do), and Secure whenever the browser reached us over TLS, which behind the
 * gateway Fastify learns from X-Forwarded-Proto of a trusted proxy only.
 */
export function refreshCookie(maxAgeSeconds: number): RefreshCookie {
  const attributes = (request: FastifyRequest) =>
    ({ httpOnly: true, sameSite: 'strict', path: REFRESH_COOKIE_PATH, secure: request.protocol === 'https' }) as const;
  return {
    read: (request) => request.cookies[REFRESH_COOKIE_NAME],
    set(request, reply, token) {
      void reply.setCookie(REFRESH_COOKIE_NAME, token, { ...attributes(request), maxAge: maxAgeSeconds });
    },
    clear(request, reply) {
      void reply.clearCookie(REFRESH_COOKIE_NAME, attributes(request));
    },
  };
}
