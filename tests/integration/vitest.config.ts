import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.shared.js';

// Each scenario file starts its own stack (about 15 s) and faults it; files run one at a time
// because two stacks on two cores would make every "within seconds" bound a coin toss.
export default defineConfig({
  test: {
    include: ['scenarios/**/*.test.ts'],
    globalSetup: ['scenarios/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 240_000,
    // A failure under faults is a finding: never retried into a pass.
    retry: 0,
    reporters: reporters('integration'),
  },
});
