import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

/**
 * Stands in for the auth service in these suites (auth is built alongside): an ES256 key whose
 * JWKS is served over real HTTP, and access tokens minted with the claims auth mints. The
 * integration suite of the whole stack uses the real auth service.
 */
export interface FakeAuth {
  jwksUrl: string;
  mint(user: TestUser, options?: MintOptions): Promise<string>;
  stop(): Promise<void>;
}

export interface TestUser {
  id: string;
  name: string;
}

export interface MintOptions {
  /** Seconds from now; negative for an already expired token. */
  expiresIn?: number;
  issuer?: string;
  audience?: string;
  typ?: string;
  /** Sign with a key that is not in the served JWKS. */
  foreignKey?: boolean;
  /** The `sid` claim auth sets: the session that signing out revokes. */
  sessionId?: string;
  /** A guest token (`typ: 'guest'`) for this room, as auth's `POST /guest` mints it. */
  guestOf?: string;
}

interface KeyPair {
  privateKey: CryptoKey;
  kid: string;
  publicJwk: JWK;
}

async function newKeyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { privateKey, kid, publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' } };
}

/** A user id in the shape auth hands out (a MongoDB ObjectId in hex). */
export function newUser(name: string): TestUser {
  return { id: randomBytes(12).toString('hex'), name };
}

export async function startFakeAuth(): Promise<FakeAuth> {
  const key = await newKeyPair();
  const foreign = await newKeyPair();
  const server: Server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [key.publicJwk] }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    async mint(user, options = {}) {
      const signer = options.foreignKey ? foreign : key;
      const now = Math.floor(Date.now() / 1000);
      const session = options.sessionId === undefined ? {} : { sid: options.sessionId };
      const kind = options.guestOf === undefined ? { typ: options.typ ?? 'access' } : { typ: options.typ ?? 'guest', room: options.guestOf };
      return new SignJWT({ name: user.name, ...kind, ...session })
        .setProtectedHeader({ alg: 'ES256', kid: signer.kid, typ: 'JWT' })
        .setIssuer(options.issuer ?? 'meshcall-auth')
        .setAudience(options.audience ?? 'meshcall')
        .setSubject(user.id)
        .setIssuedAt(now)
        .setExpirationTime(now + (options.expiresIn ?? 900))
        .sign(signer.privateKey);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
