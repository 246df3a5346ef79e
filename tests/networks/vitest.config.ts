import { defineConfig } from 'vitest/config';
import { reporters } from '../../vitest.shared.js';

// One file, one stack inside the "public" namespace, four scenarios one after another: each is
// a two-browser call that keeps both cores busy. Bounded so the tier stays under 10 minutes
// even when every call fails (4 × 120 s plus the stack start), about 1.5 minutes when they pass.
export default defineConfig({
  test: {
    include: ['scenarios/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // A call that did not get through is a finding, never retried into a pass.
    retry: 0,
    reporters: reporters('networks'),
  },
});
