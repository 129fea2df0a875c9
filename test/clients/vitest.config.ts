import { defineConfig } from 'vitest/config';

/**
 * `npm run test:clients`: the local runtime driven by AWS clients nobody here wrote (Debian's
 * awscli 2.9 and python3-boto3 1.26, SQS over the query protocol). Separate from `npm test`
 * because it needs those Debian packages; `.ci/run` installs them and runs both.
 */
export default defineConfig({
  test: {
    include: ['test/clients/**/*.spec.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
