import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@meshcall/stack';
import { findDockerEngine, missingImages } from './docker-engine.js';
import { chooseImages, parseEnvFile, requiredImages, type ContainerImages } from './images.js';
import type { EnvironmentName } from './test-environment.js';

/** `MESHCALL_TEST_ENV=local|testcontainers` forces an environment; unset or `auto` decides by `docker info`. */
export const ENVIRONMENT_VARIABLE = 'MESHCALL_TEST_ENV';

export type EnvironmentSelection =
  | { name: 'local'; reason: string }
  | { name: 'testcontainers'; reason: string; dockerHost: string; images: ContainerImages };

export interface SelectionFacts {
  requested: string | undefined;
  engine: { dockerHost: string } | { reason: string };
  images: ContainerImages;
  /** Images of `images` the engine does not have. */
  missing: string[];
}

/**
 * The decision alone, from facts gathered elsewhere: Testcontainers when an engine answers and has
 * the images, the local launcher otherwise. A forced choice that cannot be honoured is an error,
 * not a silent fallback, so a run never claims to have tested what it did not.
 */
export function decideEnvironment(facts: SelectionFacts): EnvironmentSelection {
  const requested = (facts.requested ?? 'auto').trim().toLowerCase() || 'auto';
  if (!['auto', 'local', 'testcontainers'].includes(requested)) {
    throw new Error(`${ENVIRONMENT_VARIABLE} must be auto, local or testcontainers, not '${facts.requested}'`);
  }
  if (requested === 'local') return { name: 'local', reason: `${ENVIRONMENT_VARIABLE}=local` };
  if ('reason' in facts.engine) {
    if (requested === 'testcontainers') throw new Error(`${ENVIRONMENT_VARIABLE}=testcontainers, but ${facts.engine.reason}`);
    return { name: 'local', reason: facts.engine.reason };
  }
  if (facts.missing.length > 0) {
    const why = `the Docker engine at ${facts.engine.dockerHost} lacks ${facts.missing.join(', ')} and nothing may be downloaded during a run (build them: infra/images/build.sh for the offline set, scripts/docker/build-stack-images.sh for the stack's own)`;
    if (requested === 'testcontainers') throw new Error(`${ENVIRONMENT_VARIABLE}=testcontainers, but ${why}`);
    return { name: 'local', reason: why };
  }
  const reason = requested === 'testcontainers' ? `${ENVIRONMENT_VARIABLE}=testcontainers` : `docker info answered at ${facts.engine.dockerHost}`;
  return { name: 'testcontainers', reason, dockerHost: facts.engine.dockerHost, images: facts.images };
}

function offlineImageSet(): Record<string, string> {
  const file = join(repoRoot, 'infra/images/images.env');
  return existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8')) : {};
}

/** Looks at the machine (Docker engine, images) and decides where the suite runs. */
export async function selectEnvironment(env: Record<string, string | undefined> = process.env): Promise<EnvironmentSelection> {
  const requested = env[ENVIRONMENT_VARIABLE];
  const images = chooseImages(env, offlineImageSet());
  if ((requested ?? '').trim().toLowerCase() === 'local') return decideEnvironment({ requested, engine: { reason: 'not asked' }, images, missing: [] });
  const engine = await findDockerEngine(env);
  const missing = 'dockerHost' in engine ? await missingImages(engine.dockerHost, requiredImages(images)) : [];
  return decideEnvironment({ requested, engine, images, missing });
}

export function describeSelection(selection: EnvironmentSelection): string {
  return `integration environment: ${selection.name as EnvironmentName} (${selection.reason})`;
}
