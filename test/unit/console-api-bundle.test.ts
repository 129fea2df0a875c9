import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_FUNCTIONS, type ConsoleAccess } from '../../core/config/console';
import { LAMBDA_BUDGET, NODEJS_BUNDLING } from '../../stacks/bundling';

// Issue 18 goal 1: the hosted console's API functions (CONSOLE_FUNCTIONS[access].entry, deployed by
// stacks/ConsoleApi.ts as its read and act functions) bundled whole, their packages included, as SST
// bundles them with stacks/bundling.ts's options (SST's keepNames unless stacks/bundling.ts overrides it,
// and SST's ESM banner, as sst/runtime/handlers/node.js sets them): what every module of a bundle imports, whichever package
// it is in, and the bundle's size.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const ACCESSES = Object.keys(CONSOLE_FUNCTIONS) as ConsoleAccess[];
/** The one source of the limit (250 KB minified), also bench/lambda.ts's. */
const BUNDLE_BUDGET_BYTES = LAMBDA_BUDGET.bundleBytes;
/** The banner SST puts on every ESM function (sst/runtime/handlers/node.js). */
const SST_ESM_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
  '',
].join('\n');

async function consoleBundle(access: ConsoleAccess) {
  const { esbuild } = NODEJS_BUNDLING;
  const { metafile, outputFiles } = await build({
    entryPoints: [`${ROOT}${CONSOLE_FUNCTIONS[access].entry}`],
    bundle: true,
    write: false,
    platform: 'node',
    format: NODEJS_BUNDLING.format === 'cjs' ? 'cjs' : 'esm',
    minify: Boolean(NODEJS_BUNDLING.minify),
    treeShaking: esbuild?.treeShaking ?? true,
    legalComments: esbuild?.legalComments ?? 'none',
    target: esbuild?.target ?? 'node22',
    keepNames: esbuild?.keepNames ?? true,
    mainFields: ['module', 'main'],
    banner: { js: SST_ESM_BANNER },
    metafile: true,
    outfile: `/nowhere/console-api-${access}.mjs`,
    logLevel: 'silent',
  });
  const byInput = Object.values(metafile.outputs)[0]?.inputs ?? {};
  const inputs = Object.keys(byInput);
  /** The files that put code into the bundle (an input tree-shaken to nothing has 0 bytes). */
  const contributing = inputs.filter((path) => (byInput[path]?.bytesInOutput ?? 0) > 0);
  const imports = Object.values(metafile.outputs).flatMap((output) =>
    output.imports.filter((one) => one.external).map((one) => one.path),
  );
  const bytes = outputFiles.reduce((sum, file) => sum + file.contents.byteLength, 0);
  const text = outputFiles.map((file) => file.text).join('\n');
  return { inputs, contributing, imports, bytes, text };
}

describe.each(ACCESSES)("the console API's %s function's bundle", (access) => {
  let bundle: Awaited<ReturnType<typeof consoleBundle>>;
  beforeAll(async () => {
    bundle = await consoleBundle(access);
  }, 60_000);

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

  it("holds only its own access: the other function's data functions stay out", async () => {
    // Prepare
    const own = `cli/console/data/${access}.ts`;
    const other = `cli/console/data/${access === 'read' ? 'act' : 'read'}.ts`;

    // Act
    const { inputs } = bundle;

    // Assess
    expect(inputs.filter((path) => path.endsWith(own))).toHaveLength(1);
    expect(
      inputs.filter((path) => path.endsWith(other) || path.endsWith('cli/console/data/index.ts')),
    ).toEqual([]);
  });
});

// Both functions are within the budget: one bundle for both was 329.7 KB at d173180; act was 274.6 KB
// at d934788 (Powertools' logger, the Ledger class, the payment stores), 262.7 KB once it bundled only
// the ledger operations it calls, 246 KB without SST's keepNames (stacks/bundling.ts).
describe.each(ACCESSES)("the console API's %s function's bundle", (access) => {
  it('is within the 250 KB budget, minified (issue 18 goal 1)', async () => {
    // Act
    const { bytes } = await consoleBundle(access);

    // Assess
    expect(bytes).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
  }, 60_000);
});

// Issue 18 goal 1: the act function runs payctl's resolve (RefundCharge, ReleaseFunds), refund resolve
// (the refund part) and wallet adjust, and so calls five ledger operations and three point reads; it
// bundles those alone (core/ledger/operations.ts, reads.ts), not the Ledger and LedgerReader classes
// whose methods bring every operation and query (a class's methods cannot be tree-shaken; 37.6 KB of
// ledger code at d934788, where the act bundle was 274.6 KB).
describe("the console API's act function's bundle: the ledger operations it calls, and only those", () => {
  let bundle: Awaited<ReturnType<typeof consoleBundle>>;
  beforeAll(async () => {
    bundle = await consoleBundle('act');
  }, 60_000);

  it('holds neither the Ledger class nor Reserve', async () => {
    // Act
    const { contributing } = bundle;

    // Assess
    expect(
      contributing.filter((path) =>
        ['core/ledger/ledger.ts', 'core/ledger/ops/reserve.ts'].some((file) => path.endsWith(file)),
      ),
    ).toEqual([]);
  });

  it('holds none of the DynamoDB expressions of the operations and queries it does not call', async () => {
    // Act
    const { text } = bundle;

    // Assess: the store's placeHold (Reserve), postHold (Settle), creditDeposit (Deposit) and
    // setNextExpiry (the expiry sweep); LedgerReader's statement and expiry-index queries (its class).
    const expressions = [
      '#rs = if_not_exists(#seq, :zero) + :one',
      '#holds.#p.#captured = :captured',
      'attribute_not_exists(#deposits.#d)',
      '#nextExpiry = :nextExpiry',
      'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
      'gsi3pk = :pk AND gsi3sk < :before',
    ];
    expect(expressions.filter((expression) => text.includes(expression))).toEqual([]);
  });

  it('still holds the operations it calls: refund, refund card, release, refund part, adjust', async () => {
    // Act
    const { contributing } = bundle;

    // Assess
    const ops = contributing
      .filter((path) => path.includes('core/ledger/ops/'))
      .map((path) => path.replace(/^.*core\/ledger\/ops\//, ''))
      .sort();
    expect(ops).toEqual(['card.ts', 'context.ts', 'credit.ts', 'post.ts', 'refund-part.ts', 'void.ts']);
  });
});
