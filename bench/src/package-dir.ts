import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The folder of an installed package, found from its entry point: some packages (socket.io-client)
 * do not export their package.json or dist files, so `require.resolve('x/package.json')` fails.
 */
export function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (let i = 0; i < 8; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the folder of package ${name}`);
}

export function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
