import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { nanoid } from 'nanoid';
import { TOKEN_ALGORITHM, TokenAudience, TokenIssuer, type RoomKind, type RoomRole } from '@meshcall/shared';

interface KeyPair {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function keyPair(kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: TOKEN_ALGORITHM, use: 'sig' } };
}

export interface TicketOptions {
  userId: string;
  roomId: string;
  name?: string;
  role?: RoomRole;
  /** A ticket rooms hands a guest (`guest: true`). */
  guest?: boolean;
  capacity?: number;
  kind?: RoomKind;
  /** Seconds since the epoch; defaults to now. */
  issuedAt?: number;
  expiresInSeconds?: number;
}

export interface AccessTokenOptions {
  name?: string;
  expiresInSeconds?: number;
  /** Sign with a key that is not in the published set (a forged token). */
  forged?: boolean;
  audience?: string;
  /** The `sid` claim auth puts on every token: the session that signing out revokes. */
  sessionId?: string;
  /** Mint a guest token (`typ: 'guest'`) for this room instead of an account's access token. */
  guestOf?: string;
}

/**
 * Stands in for the auth and rooms services, which are built in parallel: it holds ES256 test
 * keys, serves both key sets over HTTP on loopback exactly where the services would
 * (`/.well-known/jwks.json` of each), and mints access tokens and join tickets with the claims
 * of tokens.ts.
 */
export class TestTokenIssuer {
  private constructor(
    private readonly server: Server,
    private readonly auth: KeyPair,
    private readonly rooms: KeyPair,
    private readonly stranger: KeyPair,
    private readonly baseUrl: string,
  ) {}

  static async start(): Promise<TestTokenIssuer> {
    const [auth, rooms, stranger] = await Promise.all([keyPair('auth-test'), keyPair('rooms-test'), keyPair('auth-test')]);
    const server = createServer((request, response) => {
      const keys = request.url === '/auth/.well-known/jwks.json' ? [auth.publicJwk] : request.url === '/rooms/.well-known/jwks.json' ? [rooms.publicJwk] : undefined;
      if (!keys) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new TestTokenIssuer(server, auth, rooms, stranger, `http://127.0.0.1:${port}`);
  }

  get authJwksUrl(): string {
    return `${this.baseUrl}/auth/.well-known/jwks.json`;
  }

  get roomsJwksUrl(): string {
    return `${this.baseUrl}/rooms/.well-known/jwks.json`;
  }

  async accessToken(userId: string, options: AccessTokenOptions = {}): Promise<string> {
    const key = options.forged ? this.stranger : this.auth;
    const now = Math.floor(Date.now() / 1000);
    const session = options.sessionId === undefined ? {} : { sid: options.sessionId };
    const kind = options.guestOf === undefined ? { typ: 'access' } : { typ: 'guest', room: options.guestOf };
    return new SignJWT({ name: options.name ?? `user ${userId.slice(-4)}`, ...kind, ...session })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ: 'JWT' })
      .setIssuer(TokenIssuer.auth)
      .setAudience(options.audience ?? TokenAudience.platform)
      .setSubject(userId)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresInSeconds ?? 900))
      .setJti(nanoid())
      .sign(key.privateKey);
  }

  async ticket(options: TicketOptions): Promise<string> {
    const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
    return new SignJWT({
      typ: 'join-ticket',
      room: options.roomId,
      name: options.name ?? `user ${options.userId.slice(-4)}`,
      role: options.role ?? 'member',
      ...(options.guest === undefined ? {} : { guest: options.guest }),
      cap: options.capacity ?? 4,
      kind: options.kind ?? 'business',
    })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: this.rooms.kid, typ: 'JWT' })
      .setIssuer(TokenIssuer.rooms)
      .setAudience(TokenAudience.signaling)
      .setSubject(options.userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 60))
      .setJti(nanoid())
      .sign(this.rooms.privateKey);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let userCounter = 0;
/** A fresh user id in the shape auth hands out (24 hex digits). */
export function newUserId(): string {
  userCounter += 1;
  return `${Date.now().toString(16).padStart(12, '0')}${(userCounter + Math.floor(Math.random() * 1e6) * 1000).toString(16).padStart(12, '0')}`.slice(-24);
}

export function newRoomId(): string {
  return `room-${nanoid(10)}`;
}
