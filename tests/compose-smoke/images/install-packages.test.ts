import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type CommandResult } from '../src/command.js';
import { locateDockerTools, type DockerTools } from '../src/compose-project.js';

/**
 * The offline image set installs every Debian package through the base image's install_packages,
 * so that a mirror which lists a version it does not serve (trixie's nginx source on 2026-12-05)
 * costs an older version and a warning, not the whole Docker tier. Checked against a local
 * repository inside the real base image, with no network.
 */

const baseImage = process.env.MESHCALL_DEBIAN_IMAGE ?? 'meshcall/debian:bookworm';
const script = resolve(import.meta.dirname, 'drifting-mirror.sh');
let tools: DockerTools;

beforeAll(async () => {
  tools = await locateDockerTools(process.env);
});

function installFromMirror(mode: 'served' | 'newest-missing' | 'all-missing'): Promise<CommandResult> {
  return runCommand(
    tools.docker,
    ['run', '--rm', '--network', 'none', '-v', `${script}:/drifting-mirror.sh:ro`, baseImage, '/drifting-mirror.sh', mode],
    { timeoutMs: 120_000, env: tools.env },
  );
}

describe('install_packages in the offline base image', () => {
  it('installs the newest listed version when the mirror serves it, and warns of nothing', async () => {
    const result = await installFromMirror('served');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('installed: meshcall-demo=1.0-3 meshcall-demo-common=1.0-3');
    expect(result.stdout).toContain('recorded: none');
    expect(result.stderr).not.toContain('WARNING');
  });

  it('falls back to the next listed version, for every package of that source, when the newest is not served', async () => {
    const result = await installFromMirror('newest-missing');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('installed: meshcall-demo=1.0-2 meshcall-demo-common=1.0-2');
    expect(result.stderr).toMatch(/install_packages: WARNING: meshcall-demo\S* \(source meshcall-demo\) 1\.0-3 is listed but not served/);
    // The image itself records that it is not on the newest version.
    expect(result.stdout).toMatch(/recorded: .*1\.0-3 is listed but not served.*installed 1\.0-2/);
  });

  it('stops with one line naming the package and every version it tried when none is served', async () => {
    const result = await installFromMirror('all-missing');
    expect(result.code).not.toBe(0);
    const error = result.stderr.split('\n').find((line) => line.startsWith('install_packages: ERROR:'));
    expect(error).toBeDefined();
    expect(error).toContain('meshcall-demo (source meshcall-demo): no listed version could be fetched');
    for (const version of ['1.0-3', '1.0-2', '1.0-1']) expect(error).toContain(`${version} (File not found`);
  });
});
