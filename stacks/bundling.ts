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
    legalComments: 'none',
    // The Lambda nodejs22.x runtime.
    target: 'node22',
  },
};

/** `functions/intake.ts` -> `functions/intake.handler`: every entry file exports `handler`. */
export function handlerOf(entry: string): string {
  return `${entry.replace(/\.ts$/, '')}.handler`;
}
