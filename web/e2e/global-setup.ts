import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '@meshcall/stack';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
    /** The ports of the stack's two coturns (127.0.0.1), the first the one `turn` names. */
    turnPorts: number[];
    /** Fault injection for the tests, which run in workers without the stack object. */
    controlUrl: string;
    /** The stack's MongoDB-wire server and Redis, for tests that seed a large lobby in bulk. */
    mongoUrl: string;
    redisUrl: string;
  }
}

/**
 * Starts the whole stack once for the e2e run (MongoDB-wire server, Redis, two coturns, auth,
 * rooms, two signaling replicas, the web build behind the nginx gateway) in a throw-away data
 * folder. Two coturns, as a deployment beyond one relay runs them: rooms hands out one per room.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meshcall-e2e-'));
  // Guest sessions of 90 s instead of 2 h, so guests.e2e.test.ts sees one run out (the web ends
  // it where it would refresh: 72 s in); nothing else uses guest tokens.
  const stack = await startStack({ fresh: true, dataDir, gatewayPort: 0, bcryptCost: 4, turnServers: 2, serviceEnv: { GUEST_TOKEN_TTL: '90' } });
  if (stack.skipped.length > 0) {
    await stack.stop();
    throw new Error(`e2e needs the whole stack, but these were not started: ${stack.skipped.join(', ')} (run \`npm run build\` first)`);
  }
  const control = await startControl(stack);
  project.provide('gatewayUrl', stack.gatewayUrl);
  project.provide('turnPorts', stack.turnServers.map((server) => server.port));
  project.provide('mongoUrl', stack.urls.mongo);
  project.provide('redisUrl', stack.urls.redis);
  project.provide('controlUrl', `http://127.0.0.1:${(control.address() as AddressInfo).port}`);
  return async () => {
    await new Promise((resolve) => control.close(resolve));
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

/**
 * A loopback-only endpoint through which a test restarts a signaling replica:
 * `POST /signaling/<index>/restart` answers 204 once the replica is back and ready.
 */
function startControl(stack: Stack): Promise<Server> {
  const server = createServer((request, response) => {
    const match = /^\/signaling\/(\d+)\/restart$/.exec(request.url ?? '');
    const replica = match ? stack.components.signaling[Number(match[1])] : undefined;
    if (request.method !== 'POST' || !replica) {
      response.writeHead(404).end();
      return;
    }
    replica.restart().then(
      () => response.writeHead(204).end(),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
