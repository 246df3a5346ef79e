import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chooseImageSettings, composeEnvironment, generateStackSecrets } from './stack-settings.js';

const offlineSet = { NODE_IMAGE: 'meshcall/node:24', MONGO_IMAGE: 'meshcall/ferretdb:1.24', GATEWAY_SIGNALING_SERVERS: 'server signaling:3000;', UNRELATED: 'x' };

describe('chooseImageSettings', () => {
  it('takes the offline set where the caller names nothing', () => {
    expect(chooseImageSettings(offlineSet, {})).toEqual({
      NODE_IMAGE: 'meshcall/node:24',
      MONGO_IMAGE: 'meshcall/ferretdb:1.24',
      GATEWAY_SIGNALING_SERVERS: 'server signaling:3000;',
    });
  });

  it("lets the caller's environment win, and an empty value select compose's default", () => {
    const chosen = chooseImageSettings(offlineSet, { MONGO_IMAGE: 'mongo:7.0.14', GATEWAY_SIGNALING_SERVERS: '' });
    expect(chosen.MONGO_IMAGE).toBe('mongo:7.0.14');
    expect(chosen).not.toHaveProperty('GATEWAY_SIGNALING_SERVERS');
    expect(chosen.NODE_IMAGE).toBe('meshcall/node:24');
  });
});

describe('composeEnvironment', () => {
  const ports = { gateway: 18080, gatewayTls: 18443, turn: 13478, turnTls: 15349 };

  it('binds every published port to loopback and gives the services the origins and TURN address a browser here uses', () => {
    const env = composeEnvironment({}, ports, generateStackSecrets(), '/tmp/certs');
    expect(env).toMatchObject({
      GATEWAY_BIND: '127.0.0.1',
      GATEWAY_TLS_BIND: '127.0.0.1',
      TURN_BIND: '127.0.0.1',
      GATEWAY_PORT: '18080',
      GATEWAY_TLS_PORT: '18443',
      TLS_CERT_DIR: '/tmp/certs',
      ALLOWED_ORIGINS: 'http://127.0.0.1:18080,https://127.0.0.1:18443',
      TURN_HOST: '127.0.0.1',
      TURN_PORT: '13478',
      TURN_TLS_PORT: '15349',
      NODE_ENV: 'production',
    });
  });

  it('cannot be talked out of loopback by the image settings', () => {
    const env = composeEnvironment({ NODE_IMAGE: 'node:24' }, ports, generateStackSecrets(), '/tmp/certs');
    expect(env.GATEWAY_BIND).toBe('127.0.0.1');
    expect(env.GATEWAY_TLS_BIND).toBe('127.0.0.1');
    expect(env.NODE_IMAGE).toBe('node:24');
  });
});

describe('generateStackSecrets', () => {
  it('makes two different ES256 keys in the one-line form .env.example documents, and a strong TURN secret', () => {
    const first = generateStackSecrets();
    const second = generateStackSecrets();
    for (const pem of [first.AUTH_SIGNING_KEY, first.ROOMS_SIGNING_KEY]) {
      expect(pem).not.toContain('\n');
      const key = createPrivateKey(pem.replace(/\\n/g, '\n'));
      expect(key.asymmetricKeyType).toBe('ec');
      expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    }
    expect(first.AUTH_SIGNING_KEY).not.toBe(first.ROOMS_SIGNING_KEY);
    expect(Buffer.from(first.TURN_SECRET, 'base64')).toHaveLength(32);
    expect(second.TURN_SECRET).not.toBe(first.TURN_SECRET);
  });
});
