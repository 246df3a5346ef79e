import { describe, expect, it } from 'vitest';
import { ConfigError } from '@meshcall/shared';
import { loadSignalingConfig } from './config.js';

const required = {
  PORT: '4003',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AUTH_JWKS_URL: 'http://127.0.0.1:4001/.well-known/jwks.json',
  ROOMS_JWKS_URL: 'http://127.0.0.1:4002/.well-known/jwks.json',
};

describe('signaling configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadSignalingConfig(required);
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      ALLOWED_ORIGINS: ['http://127.0.0.1:8080', 'http://localhost:8080'],
      TRUST_PROXY: 'loopback',
      RESUME_GRACE_MS: 20_000,
      KNOCK_TIMEOUT_MS: 60_000,
      SOCKET_RATE_LIMIT_PER_SECOND: 30,
      SOCKET_RATE_LIMIT_BURST: 120,
      SIGNAL_MAILBOX_LIMIT: 128,
    });
    expect(config.REPLICA_ID).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it('names every bad variable at once', () => {
    try {
      loadSignalingConfig({ PORT: 'x', REDIS_URL: 'http://nope', REPLICA_ID: 'has|pipe' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
      expect(variables).toEqual(['AUTH_JWKS_URL', 'PORT', 'REDIS_URL', 'REPLICA_ID', 'ROOMS_JWKS_URL']);
    }
  });
});
