import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FUNCTION_KEYS, FUNCTIONS } from '../../core/config/names';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The entry file of every function in FUNCTION_KEYS, by key. */
export const FUNCTION_ENTRIES: Readonly<Record<string, string>> = Object.fromEntries(
  FUNCTION_KEYS.map((key) => [key, FUNCTIONS[key].entry]),
);

/**
 * Every function (default: FUNCTION_ENTRIES; entry files by bundle name) bundled as stacks/bundling.ts
 * does, its packages left out (node builtins are external too): how many bundles were made, and each
 * external import as [bundle file, imported path].
 */
export async function functionBundleImports(
  entries: Readonly<Record<string, string>> = FUNCTION_ENTRIES,
): Promise<{
  readonly outputs: number;
  readonly imports: [string, string][];
}> {
  const entryPoints = Object.fromEntries(
    Object.entries(entries).map(([name, entry]) => [name, `${ROOT}${entry}`]),
  );
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
