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

/** How long a guest session lasts by default (auth's GUEST_TOKEN_TTL): one call's worth. There is no refresh token; a guest joins again after it. */
export const GUEST_TOKEN_TTL_SECONDS = 2 * 60 * 60;

/**
 * Claims of a guest token minted by auth (`POST /api/auth/guest`) for someone without an account
 * who opened an invite link. Its own `typ` keeps it out of every verifier that expects an account
 * (`accessTokenClaimsSchema`); only the routes that take `platformTokenClaimsSchema` and check
 * `room` accept it.
 */
export const guestTokenClaimsSchema = z.object({
  iss: z.literal(TokenIssuer.auth),
  aud: z.literal(TokenAudience.platform),
  /** A random guest id, shaped like a user id (24 hex digits) so bans and seats treat it alike; never an account. */
  sub: z.string().regex(/^[a-f0-9]{24}$/),
  /** The display name the guest chose. */
  name: z.string(),
  typ: z.literal('guest'),
  /** The one room this guest may preview and join. */
  room: z.string().regex(/^[A-Za-z0-9_-]{6,32}$/),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().optional(),
  /** A session id of its own, so the revocation set can end it like any other session. */
  sid: z.string().min(1).optional(),
});
export type GuestTokenClaims = z.infer<typeof guestTokenClaimsSchema>;

/** What rooms and signaling accept at their edge: an account's access token or a guest token. */
export const platformTokenClaimsSchema = z.discriminatedUnion('typ', [accessTokenClaimsSchema, guestTokenClaimsSchema]);
export type PlatformTokenClaims = z.infer<typeof platformTokenClaimsSchema>;

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
  /** The joiner has no account (a guest token); others see them marked as a guest. Absent on older tickets. */
  guest: z.boolean().default(false),
  /** Seats in the room at the time the ticket was issued. */
  cap: z.number().int().min(2).max(8),
  /** Room kind, so signaling knows whether the game is on. */
  kind: z.enum(['game', 'business', 'coding', 'learning', 'language']),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string(),
});
export type JoinTicketClaims = z.infer<typeof joinTicketClaimsSchema>;
