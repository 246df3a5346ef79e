import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateRefreshToken, hashRefreshToken, isWellFormedRefreshToken } from './refresh-token.js';

describe('refresh tokens', () => {
  it('carry 256 random bits, URL-safe', () => {
    const token = generateRefreshToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateRefreshToken));
    expect(tokens.size).toBe(1000);
  });

  it('are stored as their SHA-256, which does not contain the token', () => {
    const token = generateRefreshToken();
    const hash = hashRefreshToken(token);
    expect(hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hash).not.toContain(token);
  });

  it('are recognised as well-formed only in their exact shape', () => {
    expect(isWellFormedRefreshToken(generateRefreshToken())).toBe(true);
    expect(isWellFormedRefreshToken('')).toBe(false);
    expect(isWellFormedRefreshToken('a'.repeat(44))).toBe(false);
    expect(isWellFormedRefreshToken(`${'a'.repeat(42)}=`)).toBe(false);
  });
});
