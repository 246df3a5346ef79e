import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    reporters: reporters('unit'),
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Every integration file starts Redis and replicas; on 2 cores, one file at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
