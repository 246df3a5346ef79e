import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.shared.js';

// The helpers of the smoke test (env files, settings, metrics parsing, timings): no engine needed.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: reporters('unit'),
  },
});
