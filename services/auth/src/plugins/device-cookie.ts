import { createHash, createHmac, hkdfSync, KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REFRESH_COOKIE_PATH } from '@meshcall/shared';
import type { SigningKey } from '@meshcall/server-kit';

/** Every device cookie's name starts with this; the rest is derived from the account. */
export const DEVICE_COOKIE_PREFIX = 'meshcall_device_';
const FORMAT = 'v1';

/**
 * Names the account a sign-in attempt is for: a SHA-256 of the normalised email, so neither Redis
 * keys nor cookies carry addresses. Unknown emails get a key too, so throttling does not reveal
 * which accounts exist.
 */
export function accountKeyOf(email: string): string {
  return createHash('sha256').update(email).digest('hex');
}

export interface DeviceCookies {
  /**
   * The device id of a valid, unexpired cookie this browser holds for the account, or undefined.
   * A cookie for another account, a forged or expired one, counts as none.
   */
  deviceFor(request: FastifyRequest, accountKey: string): string | undefined;
  /** Marks this browser as one that signed in to the account (after a successful sign-in or sign-up). */
  issue(request: FastifyRequest, reply: FastifyReply, accountKey: string): void;
}

/**
 * OWASP's "device cookie" (Credential Stuffing Prevention cheat sheet): a browser that has signed
 * in to an account before carries a cookie naming that account, signed by us, so its attempts are
 * throttled in a bucket of their own and someone guessing that account's password elsewhere
 * cannot lock it out. One cookie per account (the name is derived from it), so a browser shared by
 * several people keeps each of them trusted.
 *
 * The HMAC key is derived (HKDF) from the access-token signing key rather than configured
 * separately: every replica already shares that key, and a key rotation merely makes browsers
 * untrusted until their next successful sign-in.
 */
export function deviceCookies(options: { signingKey: SigningKey['privateKey']; ttlSeconds: number }): DeviceCookies {
  const keyMaterial = KeyObject.from(options.signingKey).export({ format: 'der', type: 'pkcs8' });
  const macKey = Buffer.from(hkdfSync('sha256', keyMaterial, Buffer.alloc(0), 'meshcall device cookie v1', 32));
  const mac = (text: string) => createHmac('sha256', macKey).update(text).digest();
  // Derived from the account with our key, so the name itself does not reveal whose cookie it is.
  const nameFor = (accountKey: string) => DEVICE_COOKIE_PREFIX + mac(`name:${accountKey}`).subarray(0, 8).toString('hex');
  const attributes = (request: FastifyRequest) =>
    ({ httpOnly: true, sameSite: 'strict', path: REFRESH_COOKIE_PATH, secure: request.protocol === 'https' }) as const;

  return {
    deviceFor(request, accountKey) {
      const value = request.cookies[nameFor(accountKey)];
      if (!value) return undefined;
      const parts = value.split('.');
      if (parts.length !== 5) return undefined;
      const [format, account, deviceId, issuedAt, signature] = parts as [string, string, string, string, string];
      if (format !== FORMAT || account !== accountKey) return undefined;
      const expected = mac(`${format}.${account}.${deviceId}.${issuedAt}`);
      const presented = Buffer.from(signature, 'base64url');
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined;
      const issuedAtSeconds = Number(issuedAt);
      if (!Number.isInteger(issuedAtSeconds) || issuedAtSeconds + options.ttlSeconds <= Date.now() / 1000) return undefined;
      return deviceId;
    },
    issue(request, reply, accountKey) {
      const deviceId = randomBytes(16).toString('base64url');
      const payload = `${FORMAT}.${accountKey}.${deviceId}.${Math.floor(Date.now() / 1000)}`;
      const value = `${payload}.${mac(payload).toString('base64url')}`;
      void reply.setCookie(nameFor(accountKey), value, { ...attributes(request), maxAge: options.ttlSeconds });
    },
  };
}
