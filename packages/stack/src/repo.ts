import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root, found from this file (packages/stack/{src,dist}/repo.*). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where `npm start` keeps data between runs (git-ignored). */
export const defaultDataDir = join(repoRoot, '.data');

export type ServiceName = 'auth' | 'rooms' | 'signaling';

/** The built entry point of a service, or undefined while the service does not exist yet. */
export function serviceEntry(service: ServiceName): { entry: string; built: boolean } | undefined {
  const folder = join(repoRoot, 'services', service);
  if (!existsSync(join(folder, 'src', 'server.ts'))) return undefined;
  const entry = join(folder, 'dist', 'server.js');
  return { entry, built: existsSync(entry) };
}

/** The static web build served by the web nginx, when it exists. */
export function webBuildDir(): string | undefined {
  const dir = join(repoRoot, 'web', 'build');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}
