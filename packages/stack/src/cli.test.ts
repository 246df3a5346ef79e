import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './repo.js';
import { COMPOSE_ONLY_GATEWAY_VARIABLES, LAUNCHER_VARIABLES, LAUNCHER_VARIABLE_NAMES } from './settings.js';

const execFileAsync = promisify(execFile);
const cli = join(import.meta.dirname, 'cli.ts');

/** Runs the real CLI (from source, through tsx) with only the given environment and PATH. */
async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', cli, ...args], {
      env: { PATH: process.env.PATH, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * Every `${NAME...}` compose interpolates in its gateway service, in docker-compose.yml and in the
 * TLS overlay: the settings it exposes.
 */
function composeGatewayVariables(): string[] {
  const names = ['docker-compose.yml', 'infra/docker-compose.tls.yml'].flatMap((file) => {
    const compose = parse(readFileSync(join(repoRoot, file), 'utf8')) as { services: Record<string, unknown> };
    const gateway = JSON.stringify(compose.services.gateway);
    return [...gateway.matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1] as string);
  });
  return [...new Set(names)].sort();
}

describe('the launcher CLI', () => {
  it('--help lists every option and every variable the launcher reads, with its default', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const option of ['--fresh', '--signaling-replicas N', '--turn-servers N', '--data-dir DIR', '--tls', '--help']) expect(stdout).toContain(option);
    for (const variable of LAUNCHER_VARIABLES) {
      expect(stdout).toMatch(new RegExp(`^  ${variable.name} +default ${variable.fallback.replace(/[()]/g, '\\$&')} `, 'm'));
    }
    for (const entry of COMPOSE_ONLY_GATEWAY_VARIABLES) expect(stdout).toContain(entry.names.join(', '));
    expect(stdout).toContain('restarted on the same port after 0.5 s');
  });

  it('documents exactly the variables it validates', () => {
    expect(LAUNCHER_VARIABLES.map((variable) => variable.name).sort()).toEqual([...LAUNCHER_VARIABLE_NAMES].sort());
  });

  it("covers every gateway setting compose exposes: read by the launcher too, or said to be compose's alone", () => {
    const covered = new Set([...LAUNCHER_VARIABLE_NAMES, ...COMPOSE_ONLY_GATEWAY_VARIABLES.flatMap((entry) => entry.names)]);
    const variables = composeGatewayVariables();
    expect(variables).toEqual(expect.arrayContaining(['SIGN_IN_RATE', 'GATEWAY_BIND', 'GATEWAY_TLS_PORT', 'TLS_CERT_DIR']));
    expect(variables.filter((name) => !covered.has(name))).toEqual([]);
  });

  it('refuses bad settings before starting anything, naming each, with exit code 2', async () => {
    const { code, stderr } = await runCli([], { SIGN_IN_RATE: 'fast', LOG_LEVEL: 'loud', BCRYPT_COST: '40' });
    expect(code).toBe(2);
    expect(stderr).toContain('launcher: invalid configuration (3 problems)');
    for (const variable of ['SIGN_IN_RATE', 'LOG_LEVEL', 'BCRYPT_COST']) expect(stderr).toContain(`- ${variable}: `);
    expect(stderr).toContain('npm start -- --help');
  });

  it.each(['0', '5', 'two'])('refuses --turn-servers %s before starting anything, with exit code 2', async (count) => {
    const { code, stderr } = await runCli(['--turn-servers', count]);
    expect(code).toBe(2);
    expect(stderr).toContain('--turn-servers must be a whole number from 1 to 4');
  });

  it('refuses --tls without readable certificates, naming TLS_CERT_DIR', async () => {
    const { code, stderr } = await runCli(['--tls'], { TLS_CERT_DIR: '/nonexistent/certs' });
    expect(code).toBe(2);
    expect(stderr).toContain('- TLS_CERT_DIR: --tls needs /nonexistent/certs/fullchain.pem and /nonexistent/certs/privkey.pem');
  });
});
