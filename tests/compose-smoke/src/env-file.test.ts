import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatEnvFile, parseEnvFile } from './env-file.js';

const repoRoot = resolve(import.meta.dirname, '../../..');

describe('parseEnvFile', () => {
  it('reads plain, quoted and exported assignments and skips everything else', () => {
    const text = [
      '# comment',
      '',
      'NODE_IMAGE=meshcall/node:24',
      'GATEWAY_SIGNALING_SERVERS="server signaling:3000;"',
      "export QUOTED='a # b'",
      'MONGO_IMAGE=mongo:7 # upstream',
      'not an assignment',
    ].join('\n');
    expect(parseEnvFile(text)).toEqual({
      NODE_IMAGE: 'meshcall/node:24',
      GATEWAY_SIGNALING_SERVERS: 'server signaling:3000;',
      QUOTED: 'a # b',
      MONGO_IMAGE: 'mongo:7',
    });
  });
});

describe('formatEnvFile', () => {
  it('refuses values compose would read differently instead of writing them wrong', () => {
    expect(() => formatEnvFile({ KEY: 'two\nlines' })).toThrow('KEY');
    expect(() => formatEnvFile({ KEY: '"quoted"' })).toThrow('KEY');
    expect(() => formatEnvFile({ KEY: 'value #comment' })).toThrow('KEY');
    expect(() => formatEnvFile({ 'NOT-A-NAME': 'x' })).toThrow('NOT-A-NAME');
  });

  describe('as docker-compose reads it (docker-compose config, no engine needed)', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'meshcall-env-file-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it('hands the services exactly the values written: one-line PEM with literal \\n, upstream blocks with spaces and semicolons', async () => {
      const pem = '-----BEGIN PRIVATE KEY-----\\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+/=\\n-----END PRIVATE KEY-----\\n';
      const values = {
        TURN_SECRET: 'c2VjcmV0K3dpdGgvc2xhc2hlcz0=',
        AUTH_SIGNING_KEY: pem,
        GATEWAY_SIGNALING_SERVERS: 'server signaling:3000;',
        GATEWAY_BIND: '127.0.0.1',
        GATEWAY_PORT: '18080',
      };
      const envFile = join(scratch, 'smoke.env');
      writeFileSync(envFile, formatEnvFile(values));
      const rendered = await new Promise<string>((resolvePromise, reject) => {
        execFile(
          'docker-compose',
          ['--env-file', envFile, '--file', 'docker-compose.yml', 'config'],
          { cwd: repoRoot, env: { PATH: process.env.PATH }, timeout: 60_000 },
          (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolvePromise(stdout)),
        );
      });
      const config = parse(rendered) as { services: Record<string, { environment: Record<string, string>; ports?: Array<string | { published: number; host_ip: string }> }> };
      expect(config.services.auth?.environment.AUTH_SIGNING_KEY).toBe(pem);
      expect(config.services.rooms?.environment.TURN_SECRET).toBe(values.TURN_SECRET);
      expect(config.services.gateway?.environment.SIGNALING_SERVERS).toBe('server signaling:3000;');
      expect(JSON.stringify(config.services.gateway?.ports)).toContain('127.0.0.1');
      expect(JSON.stringify(config.services.gateway?.ports)).toContain('18080');
    });
  });
});
