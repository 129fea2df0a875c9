import { defineConfig } from 'vitest/config';

/**
 * `npm run test:e2e`: the console in a real browser (Debian's chromium driven by
 * playwright-core) against a seeded local runtime. Separate from `npm test`
 * because it needs the chromium package and a front-end build; `.ci/run` runs both.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.spec.ts'],
    testTimeout: 90_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
