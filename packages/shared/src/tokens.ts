import { z } from 'zod';

/** Issuer and audience values; verifiers pin them together with the algorithm. */
export const TokenIssuer = {
  auth: 'meshcall-auth',
  rooms: 'meshcall-rooms',
} as const;

export const TokenAudience = {
  /** Access tokens are accepted by every service of the platform. */
  platform: 'meshcall',
  /** Join tickets are only for signaling. */
  signaling: 'meshcall-signaling',
} as const;

/** The only algorithm any service signs or accepts for tokens. */
export const TOKEN_ALGORITHM = 'ES256';

/** Claims of an access token minted by auth. Header: `{ alg: 'ES256', kid, typ: 'JWT' }`. */
export const accessTokenClaimsSchema = z.object({
  iss: z.literal(TokenIssuer.auth),
  aud: z.literal(TokenAudience.platform),
  /** The user id. */
  sub: z.string().min(1),
  /** Display name, so other services need not look the user up. */
  name: z.string(),
  /** Distinguishes access tokens from anything else that might be signed with the same key. */
  typ: z.literal('access'),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().optional(),
  /**
   * The session (refresh-token family) the token was issued for. Signing out revokes it: every
   * service refuses tokens whose `sid` is in the revocation set (`redisKeys.revokedSession`).
   * Auth sets it on every token it mints.
   */
  sid: z.string().min(1).optional(),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;

export const roomRoleSchema = z.enum(['owner', 'member']);
export type RoomRole = z.infer<typeof roomRoleSchema>;

/** Claims of a join ticket minted by rooms and verified by signaling without calling rooms. */
export const joinTicketClaimsSchema = z.object({
  iss: z.literal(TokenIssuer.rooms),
  aud: z.literal(TokenAudience.signaling),
  /** The user id. */
  sub: z.string().min(1),
  typ: z.literal('join-ticket'),
  /** The room being joined. */
  room: z.string().min(1),
  /** The joiner's display name. */
  name: z.string(),
  role: roomRoleSchema,
  /** Seats in the room at the time the ticket was issued. */
  cap: z.number().int().min(2).max(8),
  /** Room kind, so signaling knows whether the game is on. */
  kind: z.enum(['game', 'business', 'coding', 'learning', 'language']),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string(),
});
export type JoinTicketClaims = z.infer<typeof joinTicketClaimsSchema>;
