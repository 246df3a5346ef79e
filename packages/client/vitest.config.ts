import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.shared.js';

// Unit tests: pure logic beside the code (errors, acknowledgements, the refresh schedule).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: reporters('unit'),
  },
});
