import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '@meshcall/stack';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
    turnPort: number;
  }
}

/**
 * Starts the whole stack once for the e2e run (MongoDB-wire server, Redis, coturn, auth, rooms,
 * two signaling replicas, the web build behind the nginx gateway) in a throw-away data folder.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meshcall-e2e-'));
  const stack = await startStack({ fresh: true, dataDir, gatewayPort: 0, bcryptCost: 4 });
  if (stack.skipped.length > 0) {
    await stack.stop();
    throw new Error(`e2e needs the whole stack, but these were not started: ${stack.skipped.join(', ')} (run \`npm run build\` first)`);
  }
  project.provide('gatewayUrl', stack.gatewayUrl);
  project.provide('turnPort', stack.turn.port);
  return async () => {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
