import { describe, expect, it } from 'vitest';
import { CONSOLE_FUNCTIONS, type ConsoleAccess } from '../../core/config/console';
import { FUNCTION_ENTRIES, functionBundleImports } from '../helpers/function-bundles';

// Issue 18 goal 1: the functions speak DynamoDB through core/aws/dynamodb.ts, not the AWS SDK's
// DynamoDB clients (~320 KB minified with @smithy/core and the credential chains). Every function
// is bundled as stacks/bundling.ts does, its packages left out, and the packages it still imports
// are listed: none may be the SDK's DynamoDB client, its document client, or Powertools' DynamoDB
// persistence layer (which imports the client). The hosted console's API (stacks/ConsoleApi.ts deploys
// CONSOLE_FUNCTIONS[access].entry as its read and act functions) is bundled with them: it takes the lean
// clients too (functions/commons/console-context.ts), payctl's SDK credential chain staying in cli/context.ts.

/** Every function we ship: FUNCTION_KEYS' and the console API's read and act functions. */
const ENTRIES: Readonly<Record<string, string>> = {
  ...FUNCTION_ENTRIES,
  ...Object.fromEntries(
    (Object.keys(CONSOLE_FUNCTIONS) as ConsoleAccess[]).map((access) => [
      `console-api-${access}`,
      CONSOLE_FUNCTIONS[access].entry,
    ]),
  ),
};
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

const offendingOf = (
  imports: [string, string][],
  packages: readonly string[] | ((path: string) => boolean),
) => [
  ...new Set(
    imports
      .filter(([, path]) => (typeof packages === 'function' ? packages(path) : packages.includes(path)))
      .map(([output, path]) => `${output} imports ${path}`),
  ),
];

describe('function bundles', () => {
  it('import none of the AWS SDK DynamoDB clients', async () => {
    // Act
    const { outputs, imports } = await functionBundleImports(ENTRIES);

    // Assess
    expect(outputs).toBe(Object.keys(ENTRIES).length);
    expect(offendingOf(imports, DYNAMODB_SDK)).toEqual([]);
  });

  it('import none of the AWS SDK clients of the other services, nor Powertools Parameters', async () => {
    // Act
    const { outputs, imports } = await functionBundleImports(ENTRIES);

    // Assess
    expect(outputs).toBe(Object.keys(ENTRIES).length);
    expect(offendingOf(imports, SERVICES_SDK)).toEqual([]);
  });

  it("import zod's tree-shakable zod/mini, not classic zod (97 KB of each bundle and its init)", async () => {
    // Act
    const { outputs, imports } = await functionBundleImports(ENTRIES);

    // Assess
    expect(outputs).toBe(Object.keys(ENTRIES).length);
    expect(offendingOf(imports, ['zod', 'zod/v4', 'zod/v4/classic'])).toEqual([]);
  });

  it('import no AWS SDK client (STS included) nor credential provider', async () => {
    // Act
    const { outputs, imports } = await functionBundleImports(ENTRIES);

    // Assess
    expect(outputs).toBe(Object.keys(ENTRIES).length);
    expect(
      offendingOf(imports, (path) => /^@aws-sdk\/(client-|lib-|credential-provider)/.test(path)),
    ).toEqual([]);
  });
});
