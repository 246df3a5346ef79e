import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { ErrorCode, GUEST_TOKEN_TTL_SECONDS, guestTokenClaimsSchema, platformTokenClaimsSchema } from '@meshcall/shared';
import type { BaseApp } from '@meshcall/server-kit';
import { clientIp, me, refreshSetCookie, startAuth, testConfig } from './helpers.js';

const DATABASE = 'auth_guest_sessions';
const ROOM_ID = 'abcdefghij';
let app: BaseApp;

beforeAll(async () => {
  app = await startAuth(testConfig(DATABASE));
});
afterAll(async () => {
  await app?.close();
});

function startGuest(body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/guest', payload: body as object, headers: { 'x-forwarded-for': clientIp(), ...headers } });
}

describe('POST /guest', () => {
  it('answers a two-hour guest token for one room with the chosen name, and no refresh cookie', async () => {
    const response = await startGuest({ roomId: ROOM_ID, name: '  Ada  ' });
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(refreshSetCookie(response)).toBeUndefined();
    const body = response.json();
    expect(body).toEqual({ guest: { id: expect.stringMatching(/^[a-f0-9]{24}$/), name: 'Ada', roomId: ROOM_ID }, accessToken: expect.any(String), expiresIn: GUEST_TOKEN_TTL_SECONDS });

    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const { payload } = await jwtVerify(body.accessToken, createLocalJWKSet(jwks), { issuer: 'meshcall-auth', audience: 'meshcall', algorithms: ['ES256'] });
    const claims = guestTokenClaimsSchema.parse(payload);
    expect(claims).toMatchObject({ typ: 'guest', room: ROOM_ID, name: 'Ada', sub: body.guest.id });
    expect(claims.exp - claims.iat).toBe(GUEST_TOKEN_TTL_SECONDS);
    expect(claims.sid).toEqual(expect.any(String));
  });

  it('lives GUEST_TOKEN_TTL when it is set', async () => {
    const shortLived = await startAuth(testConfig(DATABASE, { GUEST_TOKEN_TTL: '90' }));
    try {
      const response = await shortLived.inject({ method: 'POST', url: '/guest', payload: { roomId: ROOM_ID, name: 'Ada' }, headers: { 'x-forwarded-for': clientIp() } });
      expect(response.json().expiresIn).toBe(90);
      const claims = guestTokenClaimsSchema.parse(decodeJwt(response.json().accessToken));
      expect(claims.exp - claims.iat).toBe(90);
    } finally {
      await shortLived.close();
    }
  });

  it('gives every guest a different id', async () => {
    const first = (await startGuest({ roomId: ROOM_ID, name: 'Ada' })).json();
    const second = (await startGuest({ roomId: ROOM_ID, name: 'Ada' })).json();
    expect(first.guest.id).not.toBe(second.guest.id);
  });

  it.each([
    ['an empty name', { roomId: ROOM_ID, name: '   ' }, 'body.name'],
    ['a name over 60 characters', { roomId: ROOM_ID, name: 'x'.repeat(61) }, 'body.name'],
    ['a malformed room id', { roomId: '../etc', name: 'Ada' }, 'body.roomId'],
    ['an operator object', { roomId: { $ne: null }, name: 'Ada' }, 'body.roomId'],
    ['an extra field', { roomId: ROOM_ID, name: 'Ada', typ: 'access' }, 'body'],
  ])('refuses %s with 400 INVALID_PAYLOAD', async (_label, body, path) => {
    const response = await startGuest(body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe(ErrorCode.INVALID_PAYLOAD);
    expect(response.json().error.details.map((issue: { path: string }) => issue.path)).toContain(path);
  });

  it('refuses a foreign Origin like the other session routes', async () => {
    const response = await startGuest({ roomId: ROOM_ID, name: 'Ada' }, { origin: 'https://evil.example' });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe(ErrorCode.FORBIDDEN);
  });
});

describe('a guest token at auth', () => {
  it('is refused by the account routes with 403 GUEST_NOT_ALLOWED', async () => {
    const { accessToken } = (await startGuest({ roomId: ROOM_ID, name: 'Ada' })).json();
    expect(platformTokenClaimsSchema.parse(decodeJwt(accessToken)).typ).toBe('guest');

    const profile = await me(app, accessToken);
    expect(profile.statusCode).toBe(403);
    expect(profile.json().error).toEqual({ code: ErrorCode.GUEST_NOT_ALLOWED, message: expect.stringContaining('sign up') });

    const everywhere = await app.inject({ method: 'POST', url: '/logout/everywhere', headers: { authorization: `Bearer ${accessToken}` } });
    expect(everywhere.statusCode).toBe(403);
    expect(everywhere.json().error.code).toBe(ErrorCode.GUEST_NOT_ALLOWED);
  });
});
