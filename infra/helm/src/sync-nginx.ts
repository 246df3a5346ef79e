// Refreshes the chart's copy of infra/nginx (templates and snippets) after they changed:
//   npm run sync-nginx -w @meshcall/helm-chart
import { cpSync, rmSync } from 'node:fs';
import { copiedFolders, copyDifferences, copyFolder, sourceFolder } from './nginx-copy.js';

const before = copyDifferences();
for (const folder of copiedFolders) {
  rmSync(copyFolder(folder), { recursive: true, force: true });
  cpSync(sourceFolder(folder), copyFolder(folder), { recursive: true });
}
console.log(before.length === 0 ? 'the chart\'s nginx copy was already in step' : `updated:\n  ${before.join('\n  ')}`);
