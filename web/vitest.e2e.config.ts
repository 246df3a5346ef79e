import { defineConfig } from 'vitest/config';
import { reporters } from '../vitest.shared.js';

// Two (or three) real Chromium contexts against the whole stack, started once by the launcher.
// Files run one after another: each call already keeps both cores of the CI machine busy.
export default defineConfig({
  test: {
    reporters: reporters('e2e'),
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    globalSetup: ['e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 240_000,
    // A failed WebRTC assertion is a finding, not noise: never retried into a pass.
    retry: 0,
  },
});
