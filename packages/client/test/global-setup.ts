import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '@meshcall/stack';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
  }
}

/**
 * The whole stack from the launcher (MongoDB-wire server, Redis, coturn, auth, rooms, two
 * signaling replicas, the nginx gateway) in a throw-away data folder, once for every file.
 * Access tokens live 70 s, so `session:expiring` (a minute before expiry) comes 10 s after a
 * connection; a dropped seat waits 5 s for its resume (20 s by default), so a test can outwait it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meshcall-client-'));
  const stack = await startStack({ fresh: true, dataDir, gatewayPort: 0, bcryptCost: 4, signInRate: '6000r/m', serviceEnv: { ACCESS_TOKEN_TTL: '70', RESUME_GRACE_MS: '5000' } });
  if (stack.skipped.length > 0) {
    await stack.stop();
    throw new Error(`the client's integration tests need the whole stack, but these were not started: ${stack.skipped.join(', ')} (run \`npm run build\` first)`);
  }
  project.provide('gatewayUrl', stack.gatewayUrl);
  return async () => {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
