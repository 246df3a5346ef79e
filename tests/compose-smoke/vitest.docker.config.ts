import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.shared.js';

// The Docker tier: the offline base image's package installer, then one stack, its steps in
// order (each needs the one before), never retried.
export default defineConfig({
  test: {
    include: ['images/**/*.test.ts', 'smoke/**/*.test.ts'],
    fileParallelism: false,
    // Building the images from a cold cache takes minutes; every wait inside is bounded itself.
    testTimeout: 35 * 60_000,
    hookTimeout: 5 * 60_000,
    retry: 0,
    // A second pass with more overlays (ci-docker-tier.sh) writes a report of its own beside the first.
    reporters: reporters(process.env.COMPOSE_SMOKE_REPORT ?? 'docker'),
  },
});
