// values.schema.json and the chart's own checks stop a bad values file before anything is applied.
import { describe, expect, it } from 'vitest';
import { templateChart } from './render.js';
import { readToolPins } from './tools.js';
import { signingKeys } from './values-cases.js';

const pins = readToolPins();

function refusal(args: string[]): string {
  const result = templateChart(pins, args);
  expect(result.status, 'helm template should have refused these values').not.toBe(0);
  return result.stderr;
}

describe('bad values are refused with the value named', () => {
  it('a misspelt key (signaling.replica)', () => {
    expect(refusal(['--set', 'signaling.replica=3'])).toMatch(/\/signaling.*replica/s);
  });

  it('both a Redis URL and Redis Cluster nodes', () => {
    expect(refusal(['--set', 'redis.url=redis://redis:6379', '--set', 'redis.clusterNodes={redis-0:6379}', '--set', 'secrets.existingSecret='])).toMatch(/\/redis/);
  });

  it('a Redis Cluster node that is not host:port', () => {
    expect(refusal(['--set', 'redis.clusterNodes={redis-0}'])).toMatch(/\/redis\/clusterNodes\/0/);
  });

  it('a MongoDB URL that is not one', () => {
    expect(refusal(['--set', 'mongodb.url=postgres://db/meshcall', '--set', 'secrets.existingSecret=', '--set', 'redis.url=redis://r:6379'])).toMatch(/\/mongodb\/url/);
  });

  it('no existing Secret and no signing keys or database URLs to make one from', () => {
    const message = refusal(['--set', 'secrets.existingSecret=']);
    expect(message).toMatch(/\/secrets\/authSigningKey/);
    expect(message).toMatch(/\/mongodb\/url/);
  });

  it('a signing key that is not PKCS8 PEM (an EC PRIVATE KEY from genPrivateKey, say)', () => {
    expect(refusal(['--set', 'secrets.existingSecret=', '--set', 'secrets.authSigningKey=-----BEGIN EC PRIVATE KEY-----'])).toMatch(/\/secrets\/authSigningKey/);
  });

  it('a TURN secret shorter than rooms accepts', () => {
    expect(refusal(['--set', 'secrets.existingSecret=', '--set', 'secrets.turnSecret=short'])).toMatch(/\/secrets\/turnSecret/);
  });

  it('bcrypt below what auth accepts in production, and no TURN server at all', () => {
    expect(refusal(['--set', 'auth.bcryptCost=8'])).toMatch(/\/auth\/bcryptCost/);
    expect(refusal(['--set', 'turn.servers=null'])).toMatch(/\/turn.*servers/);
  });

  it('values next to an existing Secret, which would be silently ignored', () => {
    const message = refusal(['--set-file', `secrets.authSigningKey=${signingKeys.authKeyFile}`]);
    expect(message).toContain('secrets.existingSecret (meshcall-secrets) holds the keys');
  });
});
