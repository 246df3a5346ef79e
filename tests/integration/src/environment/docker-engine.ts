import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The engine scripts/docker/start-dockerd.sh runs (MESHCALL_DOCKER_ROOT's default). */
export const MESHCALL_DOCKER_SOCKET = '/var/lib/meshcall-docker/docker.sock';
/** A hung engine must not hang the suite: each CLI call is given up after this. */
const DOCKER_CLI_TIMEOUT_MS = 15_000;

/**
 * Engines worth asking, in order: DOCKER_HOST if set (the user chose), else the project's own
 * dockerd (scripts/docker/start-dockerd.sh), else the system default socket.
 */
export function dockerHostCandidates(env: Record<string, string | undefined>, socketExists: (path: string) => boolean = existsSync): string[] {
  if (env.DOCKER_HOST) return [env.DOCKER_HOST];
  const candidates: string[] = [];
  const meshcallRoot = env.MESHCALL_DOCKER_ROOT;
  const meshcallSocket = meshcallRoot ? `${meshcallRoot}/docker.sock` : MESHCALL_DOCKER_SOCKET;
  if (socketExists(meshcallSocket)) candidates.push(`unix://${meshcallSocket}`);
  candidates.push('unix:///var/run/docker.sock');
  return candidates;
}

/** Runs the docker CLI against `dockerHost` (the environment's DOCKER_HOST unless given); rejects on a non-zero exit. */
export async function docker(args: string[], dockerHost = process.env.DOCKER_HOST): Promise<{ stdout: string; stderr: string }> {
  const env = dockerHost ? { ...process.env, DOCKER_HOST: dockerHost } : process.env;
  return run('docker', args, { env, timeout: DOCKER_CLI_TIMEOUT_MS });
}

/** The first candidate whose `docker info` succeeds, or why none did. */
export async function findDockerEngine(env: Record<string, string | undefined>): Promise<{ dockerHost: string } | { reason: string }> {
  const failures: string[] = [];
  for (const dockerHost of dockerHostCandidates(env)) {
    try {
      await docker(['info', '--format', '{{.ServerVersion}}'], dockerHost);
      return { dockerHost };
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n').find((line) => line.trim() && !line.startsWith('Command failed')) : undefined;
      failures.push(`${dockerHost}: ${message?.trim() ?? 'docker info failed'}`);
    }
  }
  return { reason: `no Docker engine answered (${failures.join('; ')})` };
}

/** Images not present in the engine: nothing may be downloaded while the suite runs. */
export async function missingImages(dockerHost: string, images: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const image of images) {
    try {
      await docker(['image', 'inspect', '--format', '{{.Id}}', image], dockerHost);
    } catch {
      missing.push(image);
    }
  }
  return missing;
}
