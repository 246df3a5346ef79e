import { readdirSync, readFileSync } from 'node:fs';
import { chartFolder, repositoryRoot } from './tools.js';

/**
 * The chart's copy of the nginx config compose and the launcher use (a chart cannot read files
 * outside its folder): infra/nginx/<folder> is copied to infra/helm/meshcall/files/nginx/<folder>.
 */
export const copiedFolders = ['templates', 'snippets'] as const;

export function sourceFolder(folder: string): string {
  return `${repositoryRoot}infra/nginx/${folder}`;
}

export function copyFolder(folder: string): string {
  return `${chartFolder}/files/nginx/${folder}`;
}

/** Files of a folder and their contents, by name. */
export function filesOf(folder: string): Map<string, string> {
  return new Map(readdirSync(folder).sort().map((name) => [name, readFileSync(`${folder}/${name}`, 'utf8')]));
}

/** What differs between infra/nginx and the chart's copy: one line per file, empty when in step. */
export function copyDifferences(): string[] {
  const differences: string[] = [];
  for (const folder of copiedFolders) {
    const source = filesOf(sourceFolder(folder));
    const copy = filesOf(copyFolder(folder));
    for (const [name, text] of source) {
      if (!copy.has(name)) differences.push(`files/nginx/${folder}/${name} is missing`);
      else if (copy.get(name) !== text) differences.push(`files/nginx/${folder}/${name} differs from infra/nginx/${folder}/${name}`);
    }
    for (const name of copy.keys()) {
      if (!source.has(name)) differences.push(`files/nginx/${folder}/${name} is not in infra/nginx/${folder}`);
    }
  }
  return differences;
}
