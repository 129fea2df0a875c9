import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
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
  const metafile = await ownCodeMetafile(entries);
  const imports = Object.entries(metafile.outputs).flatMap(([output, { imports: imported }]) =>
    imported
      .filter((one) => one.external)
      .map((one): [string, string] => [output.split('/').pop() ?? output, one.path]),
  );
  return { outputs: Object.keys(metafile.outputs).length, imports };
}

/** esbuild's metafile of the entries (by bundle name) bundled as above: our code in, packages left out. */
async function ownCodeMetafile(entries: Readonly<Record<string, string>>): Promise<Metafile> {
  const { metafile } = await build({
    entryPoints: Object.fromEntries(
      Object.entries(entries).map(([name, entry]) => [name, `${ROOT}${entry}`]),
    ),
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
  return metafile;
}

/**
 * The files of ours under `dir` (a path from the repository root, e.g. 'core/ledger/') that put code into
 * each entry's bundle (an input tree-shaken to nothing has 0 bytes), by bundle name, relative to `dir`.
 */
export async function bundledFilesUnder(
  dir: string,
  entries: Readonly<Record<string, string>>,
): Promise<Record<string, string[]>> {
  const metafile = await ownCodeMetafile(entries);
  return Object.fromEntries(
    Object.entries(metafile.outputs)
      .filter(([, output]) => output.entryPoint !== undefined)
      .map(([file, output]) => [
        file.split('/').pop()?.replace(/\.js$/, '') ?? file,
        Object.entries(output.inputs)
          .filter(([path, input]) => path.includes(dir) && input.bytesInOutput > 0)
          .map(([path]) => path.slice(path.indexOf(dir) + dir.length))
          .sort(),
      ]),
  );
}
