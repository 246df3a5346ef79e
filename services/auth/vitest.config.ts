import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    reporters: reporters('unit'),
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // One MongoDB-wire server and one Redis for the whole run, started once (see test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    // Suites start servers and a 2-core machine runs them best one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
