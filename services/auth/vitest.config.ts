import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // One MongoDB-wire server and one Redis for the whole run, started once (see test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    // Suites start servers and a 2-core machine runs them best one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
