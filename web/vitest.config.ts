import { defineConfig } from 'vitest/config';

// Unit tests cover the plain TypeScript logic beside the components; no browser, no servers.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
