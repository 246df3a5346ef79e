import { defineConfig } from 'vitest/config';
import { reporters } from '../vitest.shared.js';

export default defineConfig({
  test: {
    // Unit tests of the bench's helpers only: timing never goes into a test.
    include: ['src/**/*.test.ts'],
    reporters: reporters('unit'),
  },
});
