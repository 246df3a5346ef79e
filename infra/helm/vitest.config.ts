import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: reporters('unit'),
    // helm and kubernetes-validate are processes; a render takes a fraction of a second.
    testTimeout: 60_000,
  },
});
