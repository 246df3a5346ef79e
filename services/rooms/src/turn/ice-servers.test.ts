import { describe, expect, it } from 'vitest';
import { createIceServers, type TurnServerSettings } from './ice-servers.js';
import { createTurnCredentials } from './turn-credentials.js';

const settings: TurnServerSettings = { host: 'turn.example.org', port: 3478, tlsPort: 5349, secret: 'a shared secret of length', credentialTtlSeconds: 600 };

describe('createIceServers', () => {
  it('offers STUN and TURN over UDP, TCP and TLS with one set of credentials', () => {
    const now = 1_700_000_000_000;
    const grant = createIceServers(settings, 'user-42', now);
    const expected = createTurnCredentials(settings.secret, 'user-42', 600, now);
    expect(grant).toEqual({
      iceServers: [
        { urls: ['stun:turn.example.org:3478'] },
        {
          urls: ['turn:turn.example.org:3478?transport=udp', 'turn:turn.example.org:3478?transport=tcp', 'turns:turn.example.org:5349?transport=tcp'],
          username: expected.username,
          credential: expected.credential,
        },
      ],
      ttl: 600,
    });
  });

  it('brackets an IPv6 host', () => {
    const grant = createIceServers({ ...settings, host: '::1' }, 'u', 0);
    expect(grant.iceServers[0]?.urls).toEqual(['stun:[::1]:3478']);
    expect(grant.iceServers[1]?.urls[2]).toBe('turns:[::1]:5349?transport=tcp');
  });
});
