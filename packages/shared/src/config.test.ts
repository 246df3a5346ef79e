import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config.js';

const schema = z.object({
  PORT: env.port(),
  MONGO_URL: env.url(['mongodb']),
  BCRYPT_COST: env.positiveInt(12),
  SECURE_COOKIES: env.boolean(false),
  ALLOWED_ORIGINS: env.origins('http://127.0.0.1:8080'),
  LOG_LEVEL: env.logLevel(),
});

describe('loadConfig', () => {
  it('returns typed values with defaults applied', () => {
    const config = loadConfig('auth', schema, { PORT: '3001', MONGO_URL: 'mongodb://127.0.0.1:27017/meshcall' });
    expect(config).toEqual({
      PORT: 3001,
      MONGO_URL: 'mongodb://127.0.0.1:27017/meshcall',
      BCRYPT_COST: 12,
      SECURE_COOKIES: false,
      ALLOWED_ORIGINS: ['http://127.0.0.1:8080'],
      LOG_LEVEL: 'info',
    });
  });

  it('names every bad variable in one error', () => {
    let thrown: unknown;
    try {
      loadConfig('auth', schema, { PORT: '99999', MONGO_URL: 'http://wrong', BCRYPT_COST: 'ten', LOG_LEVEL: 'loud' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.problems.map((p) => p.variable).sort()).toEqual(['BCRYPT_COST', 'LOG_LEVEL', 'MONGO_URL', 'PORT']);
    expect(error.message).toMatch(/^auth: invalid configuration \(4 problems\)/);
    expect(error.message).toContain('MONGO_URL: must be a URL with scheme mongodb');
  });

  it('says when a required variable is missing', () => {
    expect(() => loadConfig('rooms', schema, { MONGO_URL: 'mongodb://x/db' })).toThrow(/PORT: is required but not set/);
  });

  it('treats an empty string as unset so the default applies', () => {
    const config = loadConfig('auth', schema, { PORT: '1', MONGO_URL: 'mongodb://x/db', BCRYPT_COST: '' });
    expect(config.BCRYPT_COST).toBe(12);
  });

  it('parses booleans and origin lists strictly', () => {
    const config = loadConfig('auth', schema, {
      PORT: '1',
      MONGO_URL: 'mongodb://x/db',
      SECURE_COOKIES: 'yes',
      ALLOWED_ORIGINS: 'https://call.example.com, http://localhost:8080',
    });
    expect(config.SECURE_COOKIES).toBe(true);
    expect(config.ALLOWED_ORIGINS).toEqual(['https://call.example.com', 'http://localhost:8080']);
    expect(() => loadConfig('auth', schema, { PORT: '1', MONGO_URL: 'mongodb://x/db', SECURE_COOKIES: 'maybe' })).toThrow(
      /SECURE_COOKIES: must be true or false/,
    );
    expect(() => loadConfig('auth', schema, { PORT: '1', MONGO_URL: 'mongodb://x/db', ALLOWED_ORIGINS: 'https://a.com/path' })).toThrow(
      /ALLOWED_ORIGINS/,
    );
  });

  it('reads TRUST_PROXY as Fastify takes it: loopback by default, true/false, or a list kept as written', () => {
    const proxy = z.object({ TRUST_PROXY: env.trustProxy() });
    expect(loadConfig('rooms', proxy, {}).TRUST_PROXY).toBe('loopback');
    expect(loadConfig('rooms', proxy, { TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig('rooms', proxy, { TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig('rooms', proxy, { TRUST_PROXY: 'uniquelocal,198.18.0.0/15' }).TRUST_PROXY).toBe('uniquelocal,198.18.0.0/15');
  });

  it('ignores variables the schema does not name', () => {
    const config = loadConfig('auth', schema, { PORT: '1', MONGO_URL: 'mongodb://x/db', UNRELATED: 'x' });
    expect(config).not.toHaveProperty('UNRELATED');
  });
});
