import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';
import { reporters } from '../vitest.shared.js';

// Unit tests cover the logic beside the components, the rune classes (`*.svelte.ts`, compiled by
// the Svelte plugin) included; no browser, no services.
export default defineConfig({
  plugins: [svelte()],
  test: {
    reporters: reporters('unit'),
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
