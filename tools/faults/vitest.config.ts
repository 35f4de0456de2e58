import { defineConfig } from 'vitest/config';

// Real worker processes, Redis restarts and S3 faults: generous safety-net timeouts
// (not speed checks); files run one at a time so the 2-core machine is not oversubscribed.
export default defineConfig({
  test: {
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
