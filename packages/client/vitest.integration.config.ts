import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.shared.js';

// Against the real stack (the launcher in packages/stack, started once in the global setup):
// the client, and the README's example, talk to auth, rooms and two signaling replicas through
// the nginx gateway exactly as any user of the package would.
// '@meshcall/client' is this package's own source here, as the example imports it by its published
// name: the tests need no build of the package first.
export default defineConfig({
  resolve: { alias: { '@meshcall/client': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    retry: 0,
    reporters: reporters('integration'),
  },
});
