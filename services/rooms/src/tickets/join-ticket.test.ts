import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinTicketClaimsSchema } from '@meshcall/shared';
import { loadSigningKey, type SigningKey } from '@meshcall/server-kit';
import { JoinTicketIssuer } from './join-ticket.js';

let dataDir: string;
let key: SigningKey;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rooms-ticket-'));
  key = await loadSigningKey({ pem: undefined, dataDir, fileName: 'key.json', production: false });
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const subject = { userId: '65f0c0ffee0000000000beef', name: 'Ada', roomId: 'room-abc123', role: 'member', guest: false, capacity: 4, kind: 'coding' } as const;

describe('JoinTicketIssuer', () => {
  it('signs exactly the join-ticket claims with ES256 under its kid', async () => {
    const issuer = new JoinTicketIssuer(key, 60);
    const now = Date.now();
    const { ticket, expiresIn } = await issuer.issue(subject, now);
    expect(expiresIn).toBe(60);
    expect(decodeProtectedHeader(ticket)).toEqual({ alg: 'ES256', kid: key.kid, typ: 'JWT' });
    const { payload } = await jwtVerify(ticket, createLocalJWKSet(issuer.jwks()), {
      algorithms: ['ES256'],
      issuer: 'meshcall-rooms',
      audience: 'meshcall-signaling',
    });
    const claims = joinTicketClaimsSchema.strict().parse(payload);
    expect(claims).toMatchObject({ sub: subject.userId, typ: 'join-ticket', room: subject.roomId, name: 'Ada', role: 'member', guest: false, cap: 4, kind: 'coding' });
    expect(claims.iat).toBe(Math.floor(now / 1000));
    expect(claims.exp - claims.iat).toBe(60);
  });

  it('marks a guest joiner', async () => {
    const { ticket } = await new JoinTicketIssuer(key, 60).issue({ ...subject, guest: true });
    expect(joinTicketClaimsSchema.parse(decodeJwt(ticket)).guest).toBe(true);
  });

  it('gives every ticket its own jti', async () => {
    const issuer = new JoinTicketIssuer(key, 60);
    const first = await issuer.issue(subject);
    const second = await issuer.issue(subject);
    const jwks = createLocalJWKSet(issuer.jwks());
    const a = await jwtVerify(first.ticket, jwks);
    const b = await jwtVerify(second.ticket, jwks);
    expect(a.payload.jti).not.toBe(b.payload.jti);
  });

  it('issues tickets that stop verifying once the TTL has passed', async () => {
    const issuer = new JoinTicketIssuer(key, 60);
    const now = Date.now();
    const { ticket } = await issuer.issue(subject, now);
    const jwks = createLocalJWKSet(issuer.jwks());
    await expect(jwtVerify(ticket, jwks, { currentDate: new Date(now + 59_000) })).resolves.toBeDefined();
    await expect(jwtVerify(ticket, jwks, { currentDate: new Date(now + 61_000) })).rejects.toBeInstanceOf(errors.JWTExpired);
  });
});
