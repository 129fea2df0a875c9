import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODEJS_BUNDLING } from '../../stacks/bundling';
import { removeDir, tempDir } from '../helpers/temp-dirs';

// The Step Functions error name of a failed step is its JS error's `name` (core/errors.ts), and the
// console, payctl and the lean clients branch on names too. stacks/bundling.ts turns off SST's keepNames
// (a class's own `name` is minified away without it), so every error class must set its `name` itself:
// here every exported Error class of core/, events/ and cli/, built from source and from a bundle made
// with the deploy options (minified, keepNames as deployed), must give its instances the same name.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE_DIRS = ['core', 'events', 'cli'];
const EXPORTED_ERROR_CLASS = /export (?:abstract )?class \w+ extends \w*Error\b/;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every exported Error subclass of a module namespace, by export name. */
function errorClasses(namespace: Record<string, unknown>): [string, new (...args: unknown[]) => Error][] {
  return Object.entries(namespace).filter(
    (entry): entry is [string, new (...args: unknown[]) => Error] =>
      typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
  );
}

/** The names instances of each class carry (constructed with placeholder arguments). */
function instanceNames(namespace: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    errorClasses(namespace).map(([exported, Class]) => [
      exported,
      Reflect.construct(Class, ['m', 'x', 'y']).name,
    ]),
  );
}

describe('error names in the deployed bundles (keepNames as stacks/bundling.ts sets it)', () => {
  const files = SOURCE_DIRS.flatMap(sourceFiles).filter((path) =>
    EXPORTED_ERROR_CLASS.test(readFileSync(join(ROOT, path), 'utf8')),
  );
  let dir: string;
  let bundled: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    dir = tempDir('paysaga-error-names');
    const { esbuild } = NODEJS_BUNDLING;
    const outfile = join(dir, 'errors.mjs');
    await build({
      stdin: {
        contents: files.map((path, i) => `export * as m${i} from './${path}';`).join('\n'),
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: esbuild?.target ?? 'node22',
      minify: Boolean(NODEJS_BUNDLING.minify),
      keepNames: esbuild?.keepNames ?? true,
      outfile,
      logLevel: 'silent',
    });
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    bundled = (await import(pathToFileURL(outfile).href)) as Record<string, Record<string, unknown>>;
  }, 60_000);
  afterAll(() => removeDir(dir));

  it('finds the modules that export error classes', () => {
    // Assess: the scan is not empty (core/errors.ts, the gateway's and the AWS clients' errors at least).
    expect(files).toEqual(
      expect.arrayContaining(['core/errors.ts', 'core/gateway/stripe-errors.ts', 'cli/errors.ts']),
    );
  });

  it('every exported error class names its instances the same, minified or not', async () => {
    for (const [i, path] of files.entries()) {
      // Prepare
      const source = (await import(join(ROOT, path))) as Record<string, unknown>;
      // Act
      const fromSource = instanceNames(source);
      const fromBundle = instanceNames(bundled[`m${i}`] ?? {});
      // Assess
      expect(Object.keys(fromSource).length, path).toBeGreaterThan(0);
      expect(fromBundle, path).toEqual(fromSource);
    }
  }, 60_000);
});
