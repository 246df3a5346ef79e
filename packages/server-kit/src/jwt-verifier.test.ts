import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, base64url, exportSPKI, generateKeyPair, importJWK, type CryptoKey } from 'jose';
import { AppError, redisKeys } from '@meshcall/shared';
import { accountsOnly, createAccessTokenVerifier, createPlatformTokenVerifier, type JwtVerifier } from './jwt-verifier.js';
import { jwksDocument, loadSigningKey, type SigningKey } from './signing-keys.js';
import type { AccessTokenClaims } from '@meshcall/shared';

let key: SigningKey;
let server: Server;
let verifier: JwtVerifier<AccessTokenClaims>;
let jwksUrl: string;
/** Stands in for Redis: the keys auth would have set for signed-out sessions. */
const revokedKeys = new Set<string>();
const revocations = { exists: async (key: string) => (revokedKeys.has(key) ? 1 : 0) };
const now = () => Math.floor(Date.now() / 1000);

function accessToken(overrides: Record<string, unknown> = {}, signWith: CryptoKey = key.privateKey, kid = key.kid) {
  return new SignJWT({ name: 'Ada', typ: 'access', ...overrides })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer((overrides.iss as string) ?? 'meshcall-auth')
    .setAudience((overrides.aud as string) ?? 'meshcall')
    .setSubject('64b7f0c2a1b2c3d4e5f60718')
    .setIssuedAt()
    .setExpirationTime((overrides.exp as number) ?? now() + 900)
    .sign(signWith);
}

async function refusal(token: string): Promise<string> {
  try {
    await verifier.verify(token);
    return 'accepted';
  } catch (error) {
    return error instanceof AppError ? error.code : 'crashed';
  }
}

beforeAll(async () => {
  key = await loadSigningKey({ pem: undefined, dataDir: mkdtempSync(join(tmpdir(), 'keys-')), fileName: 'k.json', production: false });
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(jwksDocument([key.publicJwk])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  verifier = createAccessTokenVerifier(jwksUrl, revocations);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('access token verification against a served JWKS', () => {
  it('accepts a genuine token and returns its claims', async () => {
    const claims = await verifier.verify(await accessToken());
    expect(claims).toMatchObject({ sub: '64b7f0c2a1b2c3d4e5f60718', name: 'Ada', typ: 'access', iss: 'meshcall-auth' });
  });

  it('refuses alg none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url.encode(
      JSON.stringify({ iss: 'meshcall-auth', aud: 'meshcall', sub: 'x', name: 'x', typ: 'access', iat: now(), exp: now() + 900 }),
    );
    expect(await refusal(`${header}.${payload}.`)).toBe('UNAUTHORIZED');
  });

  it('refuses HS256 "signed" with the public key as the HMAC secret', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.kid }));
    const payload = base64url.encode(
      JSON.stringify({ iss: 'meshcall-auth', aud: 'meshcall', sub: 'x', name: 'x', typ: 'access', iat: now(), exp: now() + 900 }),
    );
    const publicPem = await exportSPKI((await importJWK(key.publicJwk, 'ES256', { extractable: true })) as CryptoKey);
    const signature = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url');
    expect(await refusal(`${header}.${payload}.${signature}`)).toBe('UNAUTHORIZED');
  });

  it('refuses wrong issuer, wrong audience, expiry, another token type and a foreign key', async () => {
    expect(await refusal(await accessToken({ iss: 'someone-else' }))).toBe('UNAUTHORIZED');
    expect(await refusal(await accessToken({ aud: 'meshcall-signaling' }))).toBe('UNAUTHORIZED');
    expect(await refusal(await accessToken({ exp: now() - 10 }))).toBe('UNAUTHORIZED');
    expect(await refusal(await accessToken({ typ: 'refresh' }))).toBe('UNAUTHORIZED');
    const foreign = await generateKeyPair('ES256');
    expect(await refusal(await accessToken({}, foreign.privateKey))).toBe('UNAUTHORIZED');
    expect(await refusal('not-a-jwt')).toBe('UNAUTHORIZED');
  });

  it('reports an unreachable key set as UNAVAILABLE, not as a bad token', async () => {
    const unreachable = createAccessTokenVerifier('http://127.0.0.1:9/jwks.json', revocations);
    await expect(unreachable.verify(await accessToken())).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(await unreachable.isReachable().catch(() => false)).toBe(false);
    expect(await verifier.isReachable()).toBe(true);
  });
});

describe('guest tokens', () => {
  const guestToken = (overrides: Record<string, unknown> = {}) => accessToken({ typ: 'guest', room: 'room-abc123', name: 'Gwen', ...overrides });

  it('are refused by the account verifier, accepted with their room by the platform verifier', async () => {
    expect(await refusal(await guestToken())).toBe('UNAUTHORIZED');
    const platform = createPlatformTokenVerifier(jwksUrl, revocations);
    expect(await platform.verify(await guestToken())).toMatchObject({ typ: 'guest', room: 'room-abc123', name: 'Gwen' });
    expect(await platform.verify(await accessToken())).toMatchObject({ typ: 'access', name: 'Ada' });
  });

  it('without a room, or with a malformed one, are refused', async () => {
    const platform = createPlatformTokenVerifier(jwksUrl, revocations);
    await expect(platform.verify(await guestToken({ room: undefined }))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(platform.verify(await guestToken({ room: '../x' }))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('are refused with GUEST_NOT_ALLOWED where only an account may go', async () => {
    const accounts = accountsOnly(createPlatformTokenVerifier(jwksUrl, revocations));
    await expect(accounts.verify(await guestToken())).rejects.toMatchObject({ code: 'GUEST_NOT_ALLOWED' });
    expect(await accounts.verify(await accessToken())).toMatchObject({ typ: 'access' });
  });
});

describe('signed-out sessions', () => {
  it('refuses a genuine token whose session was signed out, and only that session', async () => {
    const signedOut = await accessToken({ sid: 'session-signed-out' });
    const other = await accessToken({ sid: 'session-still-on' });
    expect(await refusal(signedOut)).toBe('accepted');
    revokedKeys.add(redisKeys.revokedSession('session-signed-out'));
    expect(await refusal(signedOut)).toBe('UNAUTHORIZED');
    await expect(verifier.verify(signedOut)).rejects.toThrow(/signed out/);
    expect(await refusal(other)).toBe('accepted');
  });

  it('refuses as UNAVAILABLE when the revocation set cannot be read, rather than letting the token through', async () => {
    const broken = createAccessTokenVerifier(jwksUrl, {
      exists: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
    });
    await expect(broken.verify(await accessToken({ sid: 'any' }))).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.not.stringContaining('ECONNREFUSED') });
  });
});

describe('signing keys', () => {
  it('keeps a development key between restarts and refuses to invent one in production', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keys-'));
    const first = await loadSigningKey({ pem: undefined, dataDir, fileName: 'auth.json', production: false });
    const again = await loadSigningKey({ pem: undefined, dataDir, fileName: 'auth.json', production: false });
    expect(again.kid).toBe(first.kid);
    expect(first.publicJwk).not.toHaveProperty('d');
    await expect(loadSigningKey({ pem: undefined, dataDir, fileName: 'other.json', production: true })).rejects.toThrow(/required in production/);
  });
});
