import { describe, expect, it } from 'vitest';
import { createTurnCredentials } from './turn-credentials.js';

describe('createTurnCredentials', () => {
  it('matches a vector computed independently with openssl', () => {
    // echo -n "1700000600:65f0c0ffee0000000000beef" | openssl dgst -sha1 -hmac "correct horse battery staple" -binary | base64
    const credentials = createTurnCredentials('correct horse battery staple', '65f0c0ffee0000000000beef', 600, 1_700_000_000_000);
    expect(credentials).toEqual({
      username: '1700000600:65f0c0ffee0000000000beef',
      credential: '2JaLNbWiA2P3ZTbJBhlSPO+JVuQ=',
      expiresAt: 1_700_000_600,
    });
  });

  it('puts the expiry, in whole seconds from now plus the TTL, before the user id', () => {
    const credentials = createTurnCredentials('another secret value', 'user-1', 90, 1_000_999);
    expect(credentials.username).toBe('1090:user-1');
    expect(credentials.expiresAt).toBe(1090);
  });

  it('gives a different credential for a different secret', () => {
    const a = createTurnCredentials('first secret value!', 'u', 600, 0);
    const b = createTurnCredentials('second secret value', 'u', 600, 0);
    expect(a.username).toBe(b.username);
    expect(a.credential).not.toBe(b.credential);
  });
});
