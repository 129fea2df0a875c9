import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FUNCTION_KEYS, FUNCTIONS } from '../../core/config/names';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Every function bundled as stacks/bundling.ts does, its packages left out (node builtins are external too):
 * how many bundles were made, and each external import as [bundle file, imported path].
 */
export async function functionBundleImports(): Promise<{
  readonly outputs: number;
  readonly imports: [string, string][];
}> {
  const entryPoints = Object.fromEntries(FUNCTION_KEYS.map((key) => [key, `${ROOT}${FUNCTIONS[key].entry}`]));
  const { metafile } = await build({
    entryPoints,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    treeShaking: true,
    packages: 'external',
    metafile: true,
    outdir: '/nowhere',
    logLevel: 'silent',
  });
  const imports = Object.entries(metafile.outputs).flatMap(([output, { imports: imported }]) =>
    imported
      .filter((one) => one.external)
      .map((one): [string, string] => [output.split('/').pop() ?? output, one.path]),
  );
  return { outputs: Object.keys(metafile.outputs).length, imports };
}
