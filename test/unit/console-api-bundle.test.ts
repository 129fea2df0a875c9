import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_API_ENTRY } from '../../core/config/console';
import { NODEJS_BUNDLING } from '../../stacks/bundling';

// Issue 18 goal 1: the hosted console's API (CONSOLE_API_ENTRY, deployed by stacks/ConsoleApi.ts as its
// read and act functions) bundled whole, its packages included, with stacks/bundling.ts's esbuild options:
// what every module of the bundle imports, whichever package it is in.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function consoleBundle() {
  const { esbuild } = NODEJS_BUNDLING;
  const { metafile } = await build({
    entryPoints: [`${ROOT}${CONSOLE_API_ENTRY}`],
    bundle: true,
    write: false,
    platform: 'node',
    format: NODEJS_BUNDLING.format === 'cjs' ? 'cjs' : 'esm',
    minify: Boolean(NODEJS_BUNDLING.minify),
    treeShaking: esbuild?.treeShaking ?? true,
    target: esbuild?.target ?? 'node22',
    mainFields: ['module', 'main'],
    metafile: true,
    outfile: '/nowhere/console-api.mjs',
    logLevel: 'silent',
  });
  const inputs = Object.keys(Object.values(metafile.outputs)[0]?.inputs ?? {});
  const imports = Object.values(metafile.outputs).flatMap((output) =>
    output.imports.filter((one) => one.external).map((one) => one.path),
  );
  return { inputs, imports };
}

describe("the console API's bundle", () => {
  let bundle: Awaited<ReturnType<typeof consoleBundle>>;
  beforeAll(async () => {
    bundle = await consoleBundle();
  });

  it('holds no AWS SDK client nor credential provider, even through a package', async () => {
    // Act
    const { inputs } = bundle;

    // Assess
    const sdk = inputs.filter((path) =>
      /node_modules\/@aws-sdk\/(client-|nested-clients|credential-provider)/.test(path),
    );
    expect([
      ...new Set(sdk.map((path) => path.replace(/^.*node_modules\/(@aws-sdk\/[^/]+).*$/, '$1'))),
    ]).toEqual([]);
  });

  it("ESM-imports neither node:http nor node:https (jose's key-set fetch did; fae35d3 measured ~30 ms of init)", async () => {
    // Act
    const { imports } = bundle;

    // Assess
    expect(imports.filter((path) => ['http', 'https', 'node:http', 'node:https'].includes(path))).toEqual([]);
  });
});
