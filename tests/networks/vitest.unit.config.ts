import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.shared.js';

// The tier's own pure helpers (rulesets, addresses, certificates): no namespaces, no root.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: reporters('unit'),
  },
});
