import { ConfigError } from '@meshcall/shared';
import { describe, expect, it } from 'vitest';
import { loadRoomsConfig, turnServersOf } from './config.js';

const required = {
  PORT: '3000',
  MONGO_URL: 'mongodb://127.0.0.1:27017/rooms',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AUTH_JWKS_URL: 'http://127.0.0.1:3001/.well-known/jwks.json',
  TURN_SECRET: 'a turn secret of some length',
};

describe('TURN servers in the rooms config', () => {
  it('without TURN_SERVERS hands out the one server TURN_HOST, TURN_PORT and TURN_TLS_PORT name, as before', () => {
    expect(turnServersOf(loadRoomsConfig(required))).toEqual([
      { id: '127.0.0.1:3478', host: '127.0.0.1', port: 3478, tlsPort: 5349, probe: { host: '127.0.0.1', port: 3478 } },
    ]);
    const config = loadRoomsConfig({ ...required, TURN_HOST: '::1', TURN_PORT: '3479', TURN_TLS_PORT: '443', TURN_SERVERS: '' });
    expect(turnServersOf(config)).toEqual([{ id: '[::1]:3479', host: '::1', port: 3479, tlsPort: 443, probe: { host: '::1', port: 3479 } }]);
  });

  it('with TURN_SERVERS hands out that list and ignores TURN_HOST', () => {
    const config = loadRoomsConfig({ ...required, TURN_HOST: 'ignored.example', TURN_SERVERS: 'turn-1.example:3478/443,turn-2.example:3478/443' });
    expect(turnServersOf(config).map((server) => server.id)).toEqual(['turn-1.example:3478', 'turn-2.example:3478']);
    expect(config.TURN_HEALTH_CHECK).toBe(true);
  });

  it('names a bad TURN_SERVERS and a bad TURN_HEALTH_CHECK together', () => {
    let error: unknown;
    try {
      loadRoomsConfig({ ...required, TURN_SERVERS: 'turn-1.example:99999', TURN_HEALTH_CHECK: 'sometimes' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { variable: 'TURN_SERVERS', problem: expect.stringMatching(/'turn-1.example:99999': port '99999' is not a port .*expected comma-separated host\[:port\]/) },
      { variable: 'TURN_HEALTH_CHECK', problem: 'must be true or false' },
    ]);
  });

  it('turns the health check off with TURN_HEALTH_CHECK=false', () => {
    expect(loadRoomsConfig({ ...required, TURN_HEALTH_CHECK: 'false' }).TURN_HEALTH_CHECK).toBe(false);
  });
});
