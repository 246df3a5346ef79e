import { createHmac, createPublicKey, verify as verifySignature, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, base64url, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type CryptoKey } from 'jose';
import { ErrorCode, TokenAudience, TokenIssuer, accessTokenClaimsSchema } from '@meshcall/shared';
import type { BaseApp } from '@meshcall/server-kit';
import { listen, me, newSigningKey, refreshTokenFrom, register, startAuth, testConfig, type TestKey } from './helpers.js';

const DATABASE = 'auth_access_tokens';
let key: TestKey;
let app: BaseApp;
let baseUrl: string;
let session: { accessToken: string; refreshToken: string; userId: string; name: string };
let kid: string;

beforeAll(async () => {
  key = await newSigningKey();
  app = await startAuth(testConfig(DATABASE, { AUTH_SIGNING_KEY: key.privatePem }));
  baseUrl = await listen(app);
  const response = await register(app, { name: 'Grace Hopper' });
  const body = response.json();
  session = { accessToken: body.accessToken, refreshToken: refreshTokenFrom(response)!, userId: body.user.id, name: body.user.name };
  kid = decodeProtectedHeader(session.accessToken).kid!;
});
afterAll(async () => {
  await app?.close();
});

async function fetchJwks() {
  const response = await fetch(`${baseUrl}/.well-known/jwks.json`);
  expect(response.status).toBe(200);
  return (await response.json()) as { keys: Array<JsonWebKey & { kid: string; alg: string; use: string }> };
}

const seconds = () => Math.floor(Date.now() / 1000);

/** A token signed with `signWith`, claims as auth would set them unless overridden. */
function forge(claims: Record<string, unknown> = {}, signWith: CryptoKey = key.privateKey, header: Record<string, unknown> = {}) {
  const { iss = TokenIssuer.auth, aud = TokenAudience.platform, exp = seconds() + 900, ...rest } = claims;
  return new SignJWT({ name: session.name, typ: 'access', ...rest })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT', ...header })
    .setIssuer(iss as string)
    .setAudience(aud as string)
    .setSubject(session.userId)
    .setIssuedAt()
    .setExpirationTime(exp as number)
    .sign(signWith);
}

function encodeSegment(value: object): string {
  return base64url.encode(JSON.stringify(value));
}

describe('issued access tokens', () => {
  it('carry an ES256 header with kid and typ, and the claims the platform expects', () => {
    expect(decodeProtectedHeader(session.accessToken)).toEqual({ alg: 'ES256', kid: expect.any(String), typ: 'JWT' });
    const claims = accessTokenClaimsSchema.parse(decodeJwt(session.accessToken));
    expect(claims).toMatchObject({ iss: 'meshcall-auth', aud: 'meshcall', sub: session.userId, name: 'Grace Hopper', typ: 'access' });
    expect(claims.exp - claims.iat).toBe(900);
    expect(claims.jti).toEqual(expect.any(String));
  });

  it('verify with jose against the served JWKS, algorithm, issuer and audience pinned', async () => {
    const jwks = await fetchJwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid, alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const { payload } = await jwtVerify(session.accessToken, createLocalJWKSet(jwks), {
      algorithms: ['ES256'],
      issuer: TokenIssuer.auth,
      audience: TokenAudience.platform,
    });
    expect(payload.sub).toBe(session.userId);
  });

  it('verify with node:crypto alone, from the JWK in the served JWKS', async () => {
    const jwks = await fetchJwks();
    const jwk = jwks.keys.find((k) => k.kid === kid)!;
    const [header, payload, signature] = session.accessToken.split('.') as [string, string, string];
    const valid = verifySignature(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    expect(valid).toBe(true);
  });

  it('are served with a cache lifetime verifiers can rely on', async () => {
    const response = await fetch(`${baseUrl}/.well-known/jwks.json`);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
  });
});

describe('forged or misused tokens on GET /me', () => {
  const forgeries: Array<[string, () => Promise<string>]> = [
    ['a genuine token (control)', async () => forge()],
    ['alg none', async () => `${encodeSegment({ alg: 'none', typ: 'JWT' })}.${encodeSegment(decodeJwt(session.accessToken))}.`],
    [
      'HS256 signed with the public key (PEM) as HMAC secret',
      async () => {
        const signingInput = `${encodeSegment({ alg: 'HS256', kid, typ: 'JWT' })}.${encodeSegment(decodeJwt(session.accessToken))}`;
        return `${signingInput}.${createHmac('sha256', key.publicPem).update(signingInput).digest('base64url')}`;
      },
    ],
    [
      'HS256 signed with the served JWK as HMAC secret',
      async () => {
        const jwk = JSON.stringify((await fetchJwks()).keys[0]);
        const signingInput = `${encodeSegment({ alg: 'HS256', kid, typ: 'JWT' })}.${encodeSegment(decodeJwt(session.accessToken))}`;
        return `${signingInput}.${createHmac('sha256', jwk).update(signingInput).digest('base64url')}`;
      },
    ],
    ['a wrong audience', async () => forge({ aud: TokenAudience.signaling })],
    ['a wrong issuer', async () => forge({ iss: TokenIssuer.rooms })],
    ['an expired exp', async () => forge({ exp: seconds() - 120 })],
    ['another kind of token signed with the right key', async () => forge({ typ: 'join-ticket' })],
    ['the refresh token used as an access token', async () => session.refreshToken],
    ['another ES256 key claiming our kid', async () => forge({}, (await newSigningKey()).privateKey)],
    ['another ES256 key under its own kid', async () => forge({}, (await newSigningKey()).privateKey, { kid: 'attacker-key' })],
    [
      'a genuine token with its payload edited',
      async () => {
        const [header, , signature] = session.accessToken.split('.');
        return `${header}.${encodeSegment({ ...decodeJwt(session.accessToken), name: 'Admin' })}.${signature}`;
      },
    ],
    ['a token without signature', async () => session.accessToken.split('.').slice(0, 2).join('.') + '.'],
  ];

  it.each(forgeries)('%s', async (label, makeToken) => {
    const response = await me(app, await makeToken());
    if (label.includes('(control)')) {
      expect(response.statusCode).toBe(200);
      return;
    }
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: { code: ErrorCode.UNAUTHORIZED, message: expect.any(String) } });
  });

  it('refuses a genuine token of an account that does not exist', async () => {
    const token = await new SignJWT({ name: 'Ghost', typ: 'access' })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(TokenIssuer.auth)
      .setAudience(TokenAudience.platform)
      .setSubject('0123456789abcdef01234567')
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(key.privateKey);
    expect((await me(app, token)).statusCode).toBe(401);
  });
});

describe('signing key rotation', () => {
  it('publishes the previous key next to the new one, so tokens signed before the rotation still work', async () => {
    const next = await newSigningKey();
    const rotated = await startAuth(testConfig(DATABASE, { AUTH_SIGNING_KEY: next.privatePem, AUTH_PREVIOUS_PUBLIC_KEY: key.publicPem }));
    try {
      const jwks = (await rotated.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
      expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([expect.any(String), kid]);
      expect(jwks.keys[0].kid).not.toBe(kid);

      // Issued before the rotation by the old key: still accepted.
      expect((await me(rotated, session.accessToken)).statusCode).toBe(200);
      // New tokens are signed with the new key.
      const fresh = (await register(rotated)).json().accessToken as string;
      expect(decodeProtectedHeader(fresh).kid).toBe(jwks.keys[0].kid);
      await jwtVerify(fresh, createLocalJWKSet(jwks), { algorithms: ['ES256'], issuer: TokenIssuer.auth, audience: TokenAudience.platform });
    } finally {
      await rotated.close();
    }
  });

  it('stops accepting the old key once it is no longer published', async () => {
    const next = await newSigningKey();
    const rotated = await startAuth(testConfig(DATABASE, { AUTH_SIGNING_KEY: next.privatePem }));
    try {
      expect((await me(rotated, session.accessToken)).statusCode).toBe(401);
    } finally {
      await rotated.close();
    }
  });
});

describe('development signing key', () => {
  it('is generated into DATA_DIR on first start, readable by the owner only, and reused after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'auth-dev-key-'));
    const first = await startAuth(testConfig(DATABASE, { DATA_DIR: dataDir }));
    const firstKid = (await first.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json().keys[0].kid;
    const token = (await register(first)).json().accessToken as string;
    await first.close();

    expect(statSync(join(dataDir, 'access-token-signing-key.json')).mode & 0o777).toBe(0o600);

    const second = await startAuth(testConfig(DATABASE, { DATA_DIR: dataDir }));
    try {
      expect((await second.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json().keys[0].kid).toBe(firstKid);
      expect((await me(second, token)).statusCode).toBe(200);
    } finally {
      await second.close();
    }
  });
});
