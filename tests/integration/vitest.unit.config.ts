import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.shared.js';

// The suite's own helpers (environment selection, image choice, parsers, waits): no servers.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: reporters('unit'),
  },
});
