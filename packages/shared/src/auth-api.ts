import { z } from 'zod';
import { passwordLength } from './password-policy.js';

/** Byte length as UTF-8: bcrypt reads at most 72 bytes, so the limit is on bytes, not characters. */
export function utf8ByteLength(value: string): number {
  return new TextEncoder().encode(value).length;
}

/** Minimum length in characters (Unicode code points), NIST SP 800-63B's minimum. */
export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt reads only the first 72 bytes, so longer passwords are refused rather than truncated. */
export const PASSWORD_MAX_BYTES = 72;

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be a valid email address' }));

/**
 * Length bounds of a new password. What it may not be (common passwords, the email, the name,
 * only spaces) is checked by auth and answered with WEAK_PASSWORD; see password-policy.ts.
 */
export const passwordSchema = z
  .string()
  .refine((v) => passwordLength(v) >= PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .refine((v) => utf8ByteLength(v) <= PASSWORD_MAX_BYTES, `must be at most ${PASSWORD_MAX_BYTES} bytes (UTF-8)`);

export const DISPLAY_NAME_MAX_LENGTH = 60;

/**
 * A name people see: an account's, or the one a person picks for a single call (`room:join`'s
 * `name`). Trimmed; control characters (tabs, newlines, escapes) are refused rather than
 * stripped, so what was typed is what others read.
 */
export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(DISPLAY_NAME_MAX_LENGTH, `must be at most ${DISPLAY_NAME_MAX_LENGTH} characters`)
  .refine((v) => !/\p{Cc}/u.test(v), 'must not contain control characters');

/** `POST /api/auth/register` body. Extra fields are refused, so nothing unexpected reaches a query. */
export const registerBodySchema = z.strictObject({
  name: displayNameSchema,
  email: emailSchema,
  password: passwordSchema,
});
export type RegisterBody = z.infer<typeof registerBodySchema>;

/** `POST /api/auth/login` body. */
export const loginBodySchema = z.strictObject({
  email: emailSchema,
  // Length is not checked on sign-in beyond the bcrypt ceiling: a wrong password is a 401, not a 400.
  password: z.string().min(1).refine((v) => utf8ByteLength(v) <= PASSWORD_MAX_BYTES, `must be at most ${PASSWORD_MAX_BYTES} bytes (UTF-8)`),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

/** A user as every API returns it: never a password hash. */
export const publicUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  createdAt: z.iso.datetime(),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

/** Answer of register and login: the refresh token travels only in the httpOnly cookie. */
export const sessionResponseSchema = z.object({
  user: publicUserSchema,
  accessToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int().positive(),
});
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

/** Answer of `POST /api/auth/refresh`. */
export const refreshResponseSchema = z.object({
  accessToken: z.string(),
  expiresIn: z.number().int().positive(),
});
export type RefreshResponse = z.infer<typeof refreshResponseSchema>;

/** `POST /api/auth/guest` body: a guest session for one room, from someone without an account. */
export const guestSessionBodySchema = z.strictObject({
  roomId: z.string().regex(/^[A-Za-z0-9_-]{6,32}$/, 'must be a room id'),
  name: displayNameSchema,
});
export type GuestSessionBody = z.infer<typeof guestSessionBodySchema>;

/** Who a guest is: a random id, the chosen name and the one room they may join. */
export const publicGuestSchema = z.object({ id: z.string(), name: z.string(), roomId: z.string() });
export type PublicGuest = z.infer<typeof publicGuestSchema>;

/** Answer of `POST /api/auth/guest`: a guest token (the token fields of a refresh) and no refresh cookie. */
export const guestSessionResponseSchema = refreshResponseSchema.extend({ guest: publicGuestSchema });
export type GuestSessionResponse = z.infer<typeof guestSessionResponseSchema>;

export const meResponseSchema = z.object({ user: publicUserSchema });
export type MeResponse = z.infer<typeof meResponseSchema>;

/** Name of the refresh-token cookie, scoped to Path=/api/auth. */
export const REFRESH_COOKIE_NAME = 'meshcall_refresh';
export const REFRESH_COOKIE_PATH = '/api/auth';
