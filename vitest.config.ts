import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most e2e and integration files wait on sagas, timers and sockets, not the CPU: 4 forks on the 2-core
    // CI machine took npm test from 853 s to 495 s (162 files, all passing; 2026-12-05, quiet machine).
    maxWorkers: 4,
    reporters: ['default'],
  },
});
