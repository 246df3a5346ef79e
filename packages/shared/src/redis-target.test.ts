import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config.js';
import { alongsideOtherProblems, redisTargetEnv, redisTargetOf, requireOneRedisTarget } from './redis-target.js';

const schema = z.object({ PORT: z.coerce.number().int(), ...redisTargetEnv }).superRefine(requireOneRedisTarget, alongsideOtherProblems);
const load = (source: Record<string, string>) => loadConfig('test', schema, { PORT: '1', ...source });

describe('the Redis target from the environment', () => {
  it('takes one server by URL', () => {
    expect(redisTargetOf(load({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
  });

  it('takes cluster seeds as host:port, IPv6 in brackets', () => {
    expect(redisTargetOf(load({ REDIS_CLUSTER_NODES: 'redis-0.redis:6379, 127.0.0.1:7001,[::1]:7002' }))).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'redis-0.redis', port: 6379 },
        { host: '127.0.0.1', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
  });

  it('names a malformed node', () => {
    expect(() => load({ REDIS_CLUSTER_NODES: '127.0.0.1:7001,redis-1' })).toThrow(/REDIS_CLUSTER_NODES: "redis-1" is not host:port/);
    expect(() => load({ REDIS_CLUSTER_NODES: '127.0.0.1:70000' })).toThrow(/"127.0.0.1:70000" is not host:port/);
  });

  it('names a missing Redis together with the other bad variables', () => {
    expect(() => loadConfig('test', schema, { PORT: 'eighty' })).toThrow(/PORT: .*\n.*REDIS_URL: is required but not set/s);
  });

  it('wants exactly one of the two', () => {
    expect(() => load({})).toThrow(/REDIS_URL: is required but not set \(or set REDIS_CLUSTER_NODES/);
    expect(() => load({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7001' })).toThrow(ConfigError);
  });
});
