import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { CONSOLE_FUNCTIONS, type ConsoleAccess } from '../core/config/console';
import { FUNCTIONS, type FunctionKey } from '../core/config/names';
import { NODEJS_BUNDLING } from '../stacks/bundling';

/**
 * `npm run bench:lambda -- --lower-bound`: what a function's init would be if what it is built on cost
 * nothing. Each function's entry is bundled with the deploy options twice, with stand-ins that do nothing:
 * - `libraries`: Powertools (logger, metrics, idempotency, batch) and middy replaced. What is left is our
 *   own code with its validation (zod/mini) and the floor every AWS-calling function pays: no replacement
 *   of those libraries, however lean, can init faster than this.
 * - `ownCode`: zod replaced too, by a stand-in that builds no schema and accepts every input. What is left
 *   is our own code alone: no way of validating (generated validators included) can init faster than this.
 * Neither bundle is deployable: they log, count, deduplicate and validate nothing.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The stand-ins: each export the functions import, doing nothing (constructors and wrappers included). */
const STAND_INS: Readonly<Record<string, string>> = {
  '@aws-lambda-powertools/logger': `export class Logger { info() {} warn() {} error() {} debug() {} addContext() {} appendKeys() {} resetKeys() {} }`,
  '@aws-lambda-powertools/logger/middleware': `export const injectLambdaContext = () => ({});`,
  '@aws-lambda-powertools/metrics': `export class Metrics { addMetric() {} addDimension() {} addDimensions() {} publishStoredMetrics() {} }
export const MetricUnit = { Count: 'Count', Milliseconds: 'Milliseconds' };`,
  '@aws-lambda-powertools/idempotency': `export class IdempotencyConfig {}
export const makeIdempotent = (run) => run;
export class IdempotencyAlreadyInProgressError extends Error {}
export class IdempotencyItemAlreadyExistsError extends Error {}
export class IdempotencyItemNotFoundError extends Error {}
export const IdempotencyRecordStatus = { INPROGRESS: 'INPROGRESS', COMPLETED: 'COMPLETED', EXPIRED: 'EXPIRED' };
export const PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS = {};`,
  '@aws-lambda-powertools/idempotency/persistence': `export class BasePersistenceLayer {}
export class IdempotencyRecord {}`,
  '@aws-lambda-powertools/batch': `export class BatchProcessor {}
export const EventType = { SQS: 'SQS', KinesisDataStreams: 'KinesisDataStreams', DynamoDBStreams: 'DynamoDBStreams' };
export const processPartialResponse = async () => ({ batchItemFailures: [] });`,
  '@middy/core': `export default function middy() {
  const chain = { use: () => chain, before: () => chain, after: () => chain, onError: () => chain, handler: (run) => run };
  return chain;
}`,
};

/** zod's stand-in: every export (zod/mini's and classic zod's) is one callable that returns itself, and whose safeParse accepts anything. */
async function zodStandIn(): Promise<string> {
  const exported = new Set([...Object.keys(await import('zod/mini')), ...Object.keys(await import('zod'))]);
  const names = [...exported].filter((name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name));
  return `const any = new Proxy(function () {}, {
  get: (_, key) => (key === 'safeParse' ? (data) => ({ success: true, data }) : key === 'parse' ? (data) => data : key === 'then' ? undefined : any),
  apply: () => any,
});
export default any;
export { ${names.map((name) => `any as ${name}`).join(', ')} };`;
}

function standIns(modules: Readonly<Record<string, string>>, zod: string | undefined): Plugin {
  return {
    name: 'lower-bound-stand-ins',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^@/ }, (args) =>
        modules[args.path] === undefined ? undefined : { path: args.path, namespace: 'stand-in' },
      );
      if (zod !== undefined)
        esbuild.onResolve({ filter: /^zod(\/.*)?$/ }, () => ({ path: 'zod', namespace: 'stand-in' }));
      esbuild.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({
        contents: args.path === 'zod' ? zod : modules[args.path],
        loader: 'js',
      }));
    },
  };
}

export type LowerBound = 'libraries' | 'ownCode';
export const LOWER_BOUNDS: readonly LowerBound[] = ['libraries', 'ownCode'];

/** The entry file of a function as bench:lambda names it (a FUNCTION_KEY, or consoleApi-<access>). */
function entryOf(key: string): string {
  const access = /^consoleApi-(\w+)$/.exec(key)?.[1] as ConsoleAccess | undefined;
  if (access) return CONSOLE_FUNCTIONS[access].entry;
  const fn = FUNCTIONS[key as FunctionKey];
  if (!fn) throw new Error(`bench:lambda --lower-bound: no entry for ${key}`);
  return fn.entry;
}

/** Builds both lower-bound bundles of each function into `outdir`: the file of each, by bound and function. */
export async function buildLowerBounds(
  keys: readonly string[],
  outdir: string,
): Promise<ReadonlyMap<LowerBound, ReadonlyMap<string, string>>> {
  const zod = await zodStandIn();
  const built = new Map<LowerBound, ReadonlyMap<string, string>>();
  for (const bound of LOWER_BOUNDS)
    built.set(
      bound,
      await buildEach(keys, outdir, bound, standIns(STAND_INS, bound === 'ownCode' ? zod : undefined)),
    );
  return built;
}

async function buildEach(
  keys: readonly string[],
  outdir: string,
  bound: LowerBound,
  plugin: Plugin,
): Promise<ReadonlyMap<string, string>> {
  const { esbuild } = NODEJS_BUNDLING;
  const files = new Map<string, string>();
  for (const key of keys) {
    const outfile = join(outdir, `lower-bound-${bound}-${key}.mjs`);
    await build({
      entryPoints: [join(ROOT, entryOf(key))],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      mainFields: ['module', 'main'],
      minify: Boolean(NODEJS_BUNDLING.minify),
      treeShaking: esbuild?.treeShaking ?? true,
      keepNames: esbuild?.keepNames ?? true,
      legalComments: esbuild?.legalComments ?? 'none',
      target: esbuild?.target ?? 'node22',
      plugins: [plugin],
      logLevel: 'error',
    });
    files.set(key, outfile);
  }
  return files;
}
