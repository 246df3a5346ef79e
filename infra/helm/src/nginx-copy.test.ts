import { describe, expect, it } from 'vitest';
import { copiedFolders, copyDifferences, copyFolder, filesOf } from './nginx-copy.js';

describe("the chart's copy of infra/nginx", () => {
  it('is in step with infra/nginx (after editing those, run `npm run sync-nginx -w @meshcall/helm-chart`)', () => {
    expect(copyDifferences()).toEqual([]);
  });

  it('holds the gateway and web templates and every snippet', () => {
    for (const folder of copiedFolders) expect(filesOf(copyFolder(folder)).size).toBeGreaterThan(1);
    expect([...filesOf(copyFolder('templates')).keys()]).toEqual(['gateway.conf.template', 'web.conf.template']);
  });
});
