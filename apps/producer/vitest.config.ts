import { defineConfig } from 'vitest/config';

// Each file starts its own S3 servers (a Ceph cluster takes ~1.5 s, more on a
// loaded machine): safety-net timeouts, not speed checks.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
