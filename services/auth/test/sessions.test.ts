import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, REFRESH_COOKIE_NAME } from '@meshcall/shared';
import type { BaseApp } from '@meshcall/server-kit';
import { decodeJwt } from 'jose';
import { hashRefreshToken } from '../src/tokens/refresh-token.js';
import {
  PASSWORD,
  clientIp,
  listen,
  login,
  me,
  mongoUrlFor,
  refresh,
  refreshSetCookie,
  refreshTokenFrom,
  register,
  startAuth,
  testConfig,
  uniqueEmail,
} from './helpers.js';

const DATABASE = 'auth_sessions';
const ALLOWED_ORIGIN = 'https://call.example.test';
let app: BaseApp;
let db: mongoose.Connection;

beforeAll(async () => {
  app = await startAuth(testConfig(DATABASE, { ALLOWED_ORIGINS: `${ALLOWED_ORIGIN},http://127.0.0.1:8080` }));
  db = await mongoose.createConnection(mongoUrlFor(DATABASE)).asPromise();
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** A registered user and the refresh token of their first session. */
async function signedUpUser() {
  const email = uniqueEmail();
  const response = await register(app, { email });
  expect(response.statusCode).toBe(201);
  return { email, user: response.json().user, accessToken: response.json().accessToken as string, refreshToken: refreshTokenFrom(response)! };
}

describe('POST /login', () => {
  it('answers 200 with the user and an access token, and sets the refresh cookie', async () => {
    const { email, user } = await signedUpUser();
    const response = await login(app, email);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ user, accessToken: expect.any(String), expiresIn: 900 });
    expect(refreshTokenFrom(response)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await me(app, response.json().accessToken)).json()).toEqual({ user });
  });

  it('gives the same 401 body for an unknown email and for a wrong password', async () => {
    const { email } = await signedUpUser();
    const wrongPassword = await login(app, email, 'not the password');
    const unknownEmail = await login(app, uniqueEmail('nobody'), 'not the password');
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownEmail.statusCode).toBe(401);
    expect(wrongPassword.json()).toEqual({ error: { code: ErrorCode.INVALID_CREDENTIALS, message: expect.any(String) } });
    expect(unknownEmail.body).toBe(wrongPassword.body);
    expect(refreshSetCookie(wrongPassword)).toBeUndefined();
  });
});

describe('refresh cookie', () => {
  it('is HttpOnly, SameSite=Strict, scoped to /api/auth, lives 30 days and is not Secure over plain HTTP', async () => {
    const response = await register(app);
    const cookie = refreshSetCookie(response)!;
    const attributes = cookie.split(';').slice(1).map((a) => a.trim());
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/api/auth', `Max-Age=${30 * 24 * 3600}`]));
    expect(attributes).not.toContain('Secure');
  });

  it('is Secure when the trusted gateway says the browser used TLS', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/register',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': clientIp() },
      payload: { name: 'Ada', email: uniqueEmail(), password: PASSWORD },
    });
    expect(refreshSetCookie(response)!.split(';').map((a) => a.trim())).toContain('Secure');
  });

  it('ignores X-Forwarded-Proto from a peer that is not a trusted proxy', async () => {
    const untrusting = await startAuth(testConfig(DATABASE, { TRUST_PROXY: '10.9.8.7' }));
    try {
      const response = await untrusting.inject({
        method: 'POST',
        url: '/register',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { name: 'Ada', email: uniqueEmail(), password: PASSWORD },
      });
      expect(response.statusCode).toBe(201);
      expect(refreshSetCookie(response)!.split(';').map((a) => a.trim())).not.toContain('Secure');
    } finally {
      await untrusting.close();
    }
  });

  it('is stored only as its SHA-256 hash', async () => {
    const { user, refreshToken } = await signedUpUser();
    const stored = await db
      .collection('refresh_tokens')
      .find({ userId: new mongoose.Types.ObjectId(user.id as string) })
      .toArray();
    expect(stored.map((t) => t._id)).toEqual([hashRefreshToken(refreshToken)]);
    expect(JSON.stringify(stored)).not.toContain(refreshToken);
  });
});

describe('POST /refresh', () => {
  it('returns a new access token and rotates the cookie', async () => {
    const { user, refreshToken } = await signedUpUser();
    const response = await refresh(app, refreshToken);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ accessToken: expect.any(String), expiresIn: 900 });
    expect(response.headers['cache-control']).toBe('no-store');
    const rotated = refreshTokenFrom(response);
    expect(rotated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated).not.toBe(refreshToken);
    expect((await me(app, response.json().accessToken)).json()).toEqual({ user });

    // The rotated token works in turn.
    expect((await refresh(app, rotated)).statusCode).toBe(200);
  });

  it('revokes the whole family when a retired token is presented again', async () => {
    const { refreshToken: first } = await signedUpUser();
    const second = refreshTokenFrom(await refresh(app, first))!;
    const third = refreshTokenFrom(await refresh(app, second))!;

    // An attacker replays the first token: refused, and the cookie is cleared.
    const replay = await refresh(app, first);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe(ErrorCode.UNAUTHORIZED);
    expect(refreshTokenFrom(replay)).toBeUndefined();

    // The legitimate holder's current token is now dead too: they must sign in again.
    const holder = await refresh(app, third);
    expect(holder.statusCode).toBe(401);
  });

  it('also ends the access tokens of a family revoked for a replay', async () => {
    const { refreshToken: first } = await signedUpUser();
    const rotated = await refresh(app, first);
    const accessToken = rotated.json().accessToken as string;
    expect((await me(app, accessToken)).statusCode).toBe(200);
    expect((await refresh(app, first)).statusCode).toBe(401);
    expect((await me(app, accessToken)).statusCode).toBe(401);
  });

  it('lets only one of several concurrent refreshes with the same token succeed', async () => {
    const { refreshToken } = await signedUpUser();
    const racer = await startAuth(testConfig(DATABASE));
    const base = await listen(racer);
    try {
      const statuses = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const response = await fetch(`${base}/refresh`, { method: 'POST', headers: { cookie: `${REFRESH_COOKIE_NAME}=${refreshToken}` } });
          const rotated = response.headers
            .getSetCookie()
            .find((c) => c.startsWith(`${REFRESH_COOKIE_NAME}=`))
            ?.split(';')[0]
            ?.slice(REFRESH_COOKIE_NAME.length + 1);
          return { status: response.status, rotated };
        }),
      );
      const winners = statuses.filter((s) => s.status === 200);
      expect(winners).toHaveLength(1);
      expect(statuses.filter((s) => s.status === 401)).toHaveLength(9);
      // The losers presented a token that was already retired: a replay, so the family is revoked.
      expect((await refresh(app, winners[0]!.rotated)).statusCode).toBe(401);
    } finally {
      await racer.close();
    }
  });

  it('answers 401 without a cookie, and for a token it never issued', async () => {
    const missing = await refresh(app, undefined);
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error.code).toBe(ErrorCode.UNAUTHORIZED);
    expect((await refresh(app, 'A'.repeat(43))).statusCode).toBe(401);
    expect((await refresh(app, 'not-even-well-formed')).statusCode).toBe(401);
  });

  it('keeps the sessions of other sign-ins of the same user when one family is revoked', async () => {
    const { email, refreshToken: laptop } = await signedUpUser();
    const phoneSignIn = await login(app, email);
    expect(phoneSignIn.statusCode).toBe(200);
    const phone = refreshTokenFrom(phoneSignIn)!;
    refreshTokenFrom(await refresh(app, laptop));
    expect((await refresh(app, laptop)).statusCode).toBe(401); // replay: laptop family revoked
    expect((await refresh(app, phone)).statusCode).toBe(200);
  });
});

describe('POST /logout', () => {
  it('answers 204, clears the cookie and revokes the family', async () => {
    const { refreshToken } = await signedUpUser();
    const rotated = refreshTokenFrom(await refresh(app, refreshToken))!;

    const response = await app.inject({ method: 'POST', url: '/logout', headers: { cookie: `${REFRESH_COOKIE_NAME}=${rotated}` } });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    const cleared = refreshSetCookie(response)!;
    expect(cleared).toMatch(new RegExp(`^${REFRESH_COOKIE_NAME}=;`));
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(cleared).toContain('Path=/api/auth');

    expect((await refresh(app, rotated)).statusCode).toBe(401);
  });

  it('answers 204 without a cookie too', async () => {
    const response = await app.inject({ method: 'POST', url: '/logout' });
    expect(response.statusCode).toBe(204);
  });

  it('ends the access tokens of the session too: one used after sign-out is refused', async () => {
    const { accessToken, refreshToken } = await signedUpUser();
    const refreshed = await refresh(app, refreshToken);
    const laterToken = refreshed.json().accessToken as string;
    // Both tokens of one sign-in carry the same session id, the refresh-token family's.
    expect(decodeJwt(laterToken).sid).toEqual(expect.any(String));
    expect(decodeJwt(laterToken).sid).toBe(decodeJwt(accessToken).sid);
    expect((await me(app, laterToken)).statusCode).toBe(200);

    const signedOut = await app.inject({ method: 'POST', url: '/logout', headers: { cookie: `${REFRESH_COOKIE_NAME}=${refreshTokenFrom(refreshed)}` } });
    expect(signedOut.statusCode).toBe(204);

    for (const token of [accessToken, laterToken]) {
      const response = await me(app, token);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ error: { code: ErrorCode.UNAUTHORIZED, message: expect.stringContaining('signed out') } });
    }
  });

  it('leaves the other sessions of the same user working', async () => {
    const { email, refreshToken } = await signedUpUser();
    const other = (await login(app, email)).json().accessToken as string;
    await app.inject({ method: 'POST', url: '/logout', headers: { cookie: `${REFRESH_COOKIE_NAME}=${refreshToken}` } });
    expect((await me(app, other)).statusCode).toBe(200);
  });
});

describe('POST /logout/everywhere', () => {
  it('revokes every session of the user and every access token already issued, and clears the cookie', async () => {
    const { email, user, accessToken, refreshToken } = await signedUpUser();
    const laptop = await login(app, email);
    const phone = await login(app, email);
    const stranger = await signedUpUser();

    const response = await app.inject({
      method: 'POST',
      url: '/logout/everywhere',
      headers: { authorization: `Bearer ${laptop.json().accessToken}`, cookie: `${REFRESH_COOKIE_NAME}=${refreshTokenFrom(laptop)}` },
    });
    expect(response.statusCode).toBe(204);
    expect(refreshSetCookie(response)).toMatch(new RegExp(`^${REFRESH_COOKIE_NAME}=;`));

    for (const token of [accessToken, laptop.json().accessToken, phone.json().accessToken]) expect((await me(app, token)).statusCode).toBe(401);
    for (const token of [refreshToken, refreshTokenFrom(laptop), refreshTokenFrom(phone)]) expect((await refresh(app, token)).statusCode).toBe(401);
    const revoked = await db.collection('refresh_family_revocations').find({ userId: new mongoose.Types.ObjectId(user.id) }).toArray();
    expect(revoked.map((r) => r.reason)).toEqual(['sign-out-everywhere', 'sign-out-everywhere', 'sign-out-everywhere']);

    // Other users are untouched, and signing in again works.
    expect((await me(app, stranger.accessToken)).statusCode).toBe(200);
    const again = await login(app, email);
    expect((await me(app, again.json().accessToken)).statusCode).toBe(200);
  });

  it('needs a valid access token', async () => {
    expect((await app.inject({ method: 'POST', url: '/logout/everywhere' })).statusCode).toBe(401);
    const { accessToken } = await signedUpUser();
    const response = await app.inject({ method: 'POST', url: '/logout/everywhere', headers: { authorization: `Bearer ${accessToken}x` } });
    expect(response.statusCode).toBe(401);
    expect((await me(app, accessToken)).statusCode).toBe(200);
  });
});

describe('Origin check on cookie routes', () => {
  const foreign = 'https://evil.example';

  it.each(['/refresh', '/logout'])('refuses %s from a foreign Origin with 403 and leaves the session intact', async (url) => {
    const { refreshToken } = await signedUpUser();
    const response = await app.inject({
      method: 'POST',
      url,
      headers: { origin: foreign, cookie: `${REFRESH_COOKIE_NAME}=${refreshToken}` },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: { code: ErrorCode.FORBIDDEN, message: expect.any(String) } });
    expect(refreshSetCookie(response)).toBeUndefined();
    expect((await refresh(app, refreshToken)).statusCode).toBe(200);
  });

  it('refuses the opaque "null" Origin of sandboxed frames', async () => {
    const { refreshToken } = await signedUpUser();
    const response = await refresh(app, refreshToken, { origin: 'null' });
    expect(response.statusCode).toBe(403);
  });

  it('accepts an allowed Origin and a request without Origin', async () => {
    const { refreshToken } = await signedUpUser();
    const allowed = await refresh(app, refreshToken, { origin: ALLOWED_ORIGIN });
    expect(allowed.statusCode).toBe(200);
    expect((await refresh(app, refreshTokenFrom(allowed))).statusCode).toBe(200);
  });

  it('refuses a sign-in from a foreign Origin, which would plant a session cookie (login CSRF)', async () => {
    const { email } = await signedUpUser();
    const response = await app.inject({ method: 'POST', url: '/login', headers: { origin: foreign }, payload: { email, password: PASSWORD } });
    expect(response.statusCode).toBe(403);
    expect(refreshSetCookie(response)).toBeUndefined();
  });
});

describe('GET /me', () => {
  it('answers 401 without a token and with a malformed Authorization header', async () => {
    const none = await app.inject({ method: 'GET', url: '/me' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe(ErrorCode.UNAUTHORIZED);
    const basic = await app.inject({ method: 'GET', url: '/me', headers: { authorization: 'Basic YWRhOnB3' } });
    expect(basic.statusCode).toBe(401);
  });
});
