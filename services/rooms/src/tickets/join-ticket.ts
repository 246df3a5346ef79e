import { SignJWT } from 'jose';
import { nanoid } from 'nanoid';
import { TOKEN_ALGORITHM, TokenAudience, TokenIssuer, type JoinTicketClaims, type RoomKind, type RoomRole } from '@meshcall/shared';
import { jwksDocument, type SigningKey } from '@meshcall/server-kit';

export interface JoinTicketSubject {
  userId: string;
  name: string;
  roomId: string;
  role: RoomRole;
  /** The joiner came with a guest token; signaling shows them as a guest. */
  guest: boolean;
  capacity: number;
  kind: RoomKind;
}

export interface IssuedTicket {
  ticket: string;
  /** Seconds until it expires. */
  expiresIn: number;
}

/**
 * Signs join tickets: ES256 JWTs that signaling verifies against this service's JWKS without
 * calling back. Short-lived, because a ticket is only needed to open the socket, and unique
 * (`jti`) so signaling can refuse a replay.
 */
export class JoinTicketIssuer {
  constructor(
    private readonly key: SigningKey,
    private readonly ttlSeconds: number,
  ) {}

  async issue(subject: JoinTicketSubject, nowMs: number = Date.now()): Promise<IssuedTicket> {
    const issuedAt = Math.floor(nowMs / 1000);
    const claims: Omit<JoinTicketClaims, 'iss' | 'aud' | 'sub' | 'iat' | 'exp' | 'jti'> = {
      typ: 'join-ticket',
      room: subject.roomId,
      name: subject.name,
      role: subject.role,
      guest: subject.guest,
      cap: subject.capacity,
      kind: subject.kind,
    };
    const ticket = await new SignJWT(claims)
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: this.key.kid, typ: 'JWT' })
      .setIssuer(TokenIssuer.rooms)
      .setAudience(TokenAudience.signaling)
      .setSubject(subject.userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.ttlSeconds)
      .setJti(nanoid())
      .sign(this.key.privateKey);
    return { ticket, expiresIn: this.ttlSeconds };
  }

  /** The public key set signaling fetches from `/.well-known/jwks.json`. */
  jwks(): ReturnType<typeof jwksDocument> {
    return jwksDocument([this.key.publicJwk]);
  }
}
