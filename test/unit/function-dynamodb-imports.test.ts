import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { FUNCTION_KEYS, FUNCTIONS } from '../../core/config/names';

// Issue 18 goal 1: the functions speak DynamoDB through core/aws/dynamodb.ts, not the AWS SDK's
// DynamoDB clients (~320 KB minified with @smithy/core and the credential chains). Every function
// is bundled as stacks/bundling.ts does, its packages left out, and the packages it still imports
// are listed: none may be the SDK's DynamoDB client, its document client, or Powertools' DynamoDB
// persistence layer (which imports the client).

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DYNAMODB_SDK = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
  '@aws-lambda-powertools/idempotency/dynamodb',
];
// The other services the functions call go through core/aws/{sqs,eventbridge,sfn,kms,secrets-manager,s3}.ts.
const SERVICES_SDK = [
  '@aws-sdk/client-sqs',
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-sfn',
  '@aws-sdk/client-kms',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-s3',
  '@aws-lambda-powertools/parameters/secrets',
];

/** Every function bundled as stacks/bundling.ts does, its packages left out: the packages each imports. */
async function importedPackages(): Promise<{
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

const offendingOf = (imports: [string, string][], packages: readonly string[]) => [
  ...new Set(
    imports
      .filter(([, path]) => packages.includes(path))
      .map(([output, path]) => `${output} imports ${path}`),
  ),
];

describe('function bundles', () => {
  it('import none of the AWS SDK DynamoDB clients', async () => {
    // Act
    const { outputs, imports } = await importedPackages();

    // Assess
    expect(outputs).toBe(FUNCTION_KEYS.length);
    expect(offendingOf(imports, DYNAMODB_SDK)).toEqual([]);
  });

  it('import none of the AWS SDK clients of the other services, nor Powertools Parameters', async () => {
    // Act
    const { outputs, imports } = await importedPackages();

    // Assess
    expect(outputs).toBe(FUNCTION_KEYS.length);
    expect(offendingOf(imports, SERVICES_SDK)).toEqual([]);
  });

  it("import zod's tree-shakable zod/mini, not classic zod (97 KB of each bundle and its init)", async () => {
    // Act
    const { outputs, imports } = await importedPackages();

    // Assess
    expect(outputs).toBe(FUNCTION_KEYS.length);
    expect(offendingOf(imports, ['zod', 'zod/v4', 'zod/v4/classic'])).toEqual([]);
  });
});
