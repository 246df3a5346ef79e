import { describe, expect, it } from 'vitest';
import { ConfigError } from '@meshcall/shared';
import { loadAuthConfig } from './config.js';

const required = { PORT: '4001', MONGO_URL: 'mongodb://127.0.0.1:27017/meshcall', REDIS_URL: 'redis://127.0.0.1:6379' };
const PEM = '-----BEGIN PRIVATE KEY-----\nMIG...\n-----END PRIVATE KEY-----';

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadAuthConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return Object.fromEntries(error.problems.map((p) => [p.variable, p.problem]));
    throw error;
  }
  return {};
}

describe('auth configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadAuthConfig(required);
    expect(config.AUTH_SIGNING_KEY).toBeUndefined();
    expect(config.AUTH_PREVIOUS_PUBLIC_KEY).toBeUndefined();
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: 4001,
      LOG_LEVEL: 'info',
      DATA_DIR: './.data/auth',
      ALLOWED_ORIGINS: ['http://127.0.0.1:8080', 'http://localhost:8080'],
      TRUST_PROXY: 'loopback',
      BCRYPT_COST: 12,
      ACCESS_TOKEN_TTL: 900,
      REFRESH_TOKEN_TTL: 2_592_000,
      GUEST_TOKEN_TTL: 7200,
      AUTH_SIGN_IN_FREE_FAILURES: 5,
      AUTH_SIGN_IN_BACKOFF_BASE: 30,
      AUTH_SIGN_IN_BACKOFF_MAX: 3600,
      AUTH_SIGN_IN_MEMORY: 86_400,
      AUTH_SIGN_IN_ADDRESS_MAX: 50,
      AUTH_SIGN_IN_ADDRESS_WINDOW: 900,
      AUTH_DEVICE_COOKIE_TTL: 15_552_000,
    });
  });

  it('refuses a backoff ceiling below its first step, and a memory shorter than the ceiling', () => {
    expect(problemsOf({ ...required, AUTH_SIGN_IN_BACKOFF_BASE: '60', AUTH_SIGN_IN_BACKOFF_MAX: '30', AUTH_SIGN_IN_MEMORY: '10' })).toEqual({
      AUTH_SIGN_IN_BACKOFF_MAX: 'must be at least AUTH_SIGN_IN_BACKOFF_BASE',
      AUTH_SIGN_IN_MEMORY: 'must be at least AUTH_SIGN_IN_BACKOFF_MAX',
    });
  });

  it('names every missing or malformed variable at once', () => {
    expect(problemsOf({ MONGO_URL: 'http://db', BCRYPT_COST: 'twelve', ALLOWED_ORIGINS: 'call.example.com' })).toEqual({
      PORT: 'is required but not set',
      REDIS_URL: 'is required but not set (or set REDIS_CLUSTER_NODES for a Redis Cluster)',
      MONGO_URL: expect.stringContaining('mongodb'),
      BCRYPT_COST: expect.any(String),
      ALLOWED_ORIGINS: expect.any(String),
    });
  });

  it('refuses a signing key that is not a PKCS8 PEM', () => {
    expect(problemsOf({ ...required, AUTH_SIGNING_KEY: 'secret' })).toEqual({ AUTH_SIGNING_KEY: expect.stringContaining('PRIVATE KEY') });
  });

  it('in production requires a signing key and a bcrypt cost of at least 10', () => {
    expect(problemsOf({ ...required, NODE_ENV: 'production', BCRYPT_COST: '4' })).toEqual({
      AUTH_SIGNING_KEY: 'is required when NODE_ENV=production',
      BCRYPT_COST: 'must be at least 10 when NODE_ENV=production',
    });
    expect(loadAuthConfig({ ...required, NODE_ENV: 'production', AUTH_SIGNING_KEY: PEM, BCRYPT_COST: '10' }).BCRYPT_COST).toBe(10);
  });

  it('allows a low bcrypt cost outside production, for tests', () => {
    expect(loadAuthConfig({ ...required, NODE_ENV: 'test', BCRYPT_COST: '4' }).BCRYPT_COST).toBe(4);
  });

  it('reads TRUST_PROXY as a boolean or as a list of trusted addresses', () => {
    expect(loadAuthConfig({ ...required, TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadAuthConfig({ ...required, TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadAuthConfig({ ...required, TRUST_PROXY: '10.0.0.0/8, loopback' }).TRUST_PROXY).toBe('10.0.0.0/8, loopback');
  });
});
