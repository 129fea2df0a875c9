import type { FunctionProps } from 'sst/constructs';

/**
 * How every function is bundled on deploy (SST runs esbuild with these
 * options): one minified, tree-shaken ESM file per function, no source maps
 * (SST would upload them through a custom resource with broad S3 rights).
 * bench/lambda.ts measures exactly the bundles this produces.
 */
export const NODEJS_BUNDLING: NonNullable<FunctionProps['nodejs']> = {
  format: 'esm',
  minify: true,
  sourcemap: false,
  esbuild: {
    treeShaking: true,
    // SST sets keepNames (an `__name(fn, "...")` call for every function and class, ~6 % of each bundle:
    // 16.7 KB of the console's act function). Nothing of ours reads a function's or class's `name`: every
    // error class sets its `name` explicitly (the Step Functions error name; test/unit/bundle-error-names.test.ts
    // holds that for the minified bundles), and no source maps are uploaded, so a minified stack trace needs
    // the bundle to read either way.
    keepNames: false,
    legalComments: 'none',
    // The Lambda nodejs22.x runtime.
    target: 'node22',
  },
};

/**
 * What every deployed function must stay within (issue 18 goal 1): its bundle, minified, and its init
 * over bare `node -e 0`. Read by `npm run bench:lambda` (withinBudget) and the bundle tests.
 */
export const LAMBDA_BUDGET = { bundleBytes: 250 * 1024, initMsOverBareNode: 40 } as const;

/** `functions/intake.ts` -> `functions/intake.handler`: every entry file exports `handler`. */
export function handlerOf(entry: string): string {
  return `${entry.replace(/\.ts$/, '')}.handler`;
}
