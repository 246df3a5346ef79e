import { createHash, randomBytes } from 'node:crypto';

/** 256 bits: far beyond guessing, and a SHA-256 of it needs no salt or slow hash to be safe at rest. */
const REFRESH_TOKEN_BYTES = 32;

/** A new opaque refresh token, URL-safe so it travels in a cookie unescaped. */
export function generateRefreshToken(): string {
  return randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
}

/**
 * What the database keeps instead of the token: a leaked collection gives an attacker nothing to
 * present. A fast hash is enough because the input is 256 random bits, not a password.
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A well-formed token is exactly 43 base64url characters; anything else is refused before a query. */
export function isWellFormedRefreshToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
