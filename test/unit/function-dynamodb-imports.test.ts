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

describe('function bundles', () => {
  it('import none of the AWS SDK DynamoDB clients', async () => {
    // Prepare
    const entryPoints = Object.fromEntries(
      FUNCTION_KEYS.map((key) => [key, `${ROOT}${FUNCTIONS[key].entry}`]),
    );

    // Act
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
    const offending = Object.entries(metafile.outputs).flatMap(([output, { imports }]) =>
      imports
        .filter((imported) => imported.external && DYNAMODB_SDK.includes(imported.path))
        .map((imported) => `${output.split('/').pop()} imports ${imported.path}`),
    );

    // Assess
    expect(Object.keys(metafile.outputs).length).toBe(FUNCTION_KEYS.length);
    expect([...new Set(offending)]).toEqual([]);
  });
});
