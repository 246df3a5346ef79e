import { defineConfig } from 'vitest/config';
import { reporters } from '../vitest.shared.js';

// Unit tests cover the plain TypeScript logic beside the components; no browser, no servers.
export default defineConfig({
  test: {
    reporters: reporters('unit'),
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
