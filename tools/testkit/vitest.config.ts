import { defineConfig } from 'vitest/config';

// Some tests start their own Ceph cluster (~1.5 s, more on a loaded machine):
// safety-net timeouts, not speed checks.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
