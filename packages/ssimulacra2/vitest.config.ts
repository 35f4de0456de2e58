import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Generous: several engineers share the machine; speed is measured by the bench, not tests.
    testTimeout: 60_000,
  },
});
