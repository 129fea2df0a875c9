import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConsoleAccess, consoleFunctionName } from '../core/config/console';
import { ENV_KEYS } from '../core/config/env';
import { FUNCTION_KEYS, resourceNames } from '../core/config/names';

/**
 * bench:lambda's view of a synthesized stage: every function it deploys (the FUNCTION_KEYS and the hosted
 * console's two API functions), its bundle in the synthesized assets and the environment Lambda gives it.
 */

/** Every function we deploy: the FUNCTION_KEYS and the hosted console's two API functions (one bundle). */
const CONSOLE_ACCESSES: readonly ConsoleAccess[] = ['read', 'act'];
function deployedNames(stage: string): ReadonlyMap<string, string> {
  const names = resourceNames(stage);
  return new Map<string, string>([
    ...FUNCTION_KEYS.map((key): [string, string] => [names.functions[key], key]),
    ...CONSOLE_ACCESSES.map((access): [string, string] => [
      consoleFunctionName(stage, access),
      `consoleApi-${access}`,
    ]),
  ]);
}

export const STAGE = 'prod';
export const REGION = 'eu-west-1';

export interface DeployedFunction {
  readonly key: string;
  readonly functionName: string;
  readonly bundle: string;
  readonly environment: Record<string, string>;
}

/** Finds each function's bundle in the synthesized assets, with the environment it deploys with. */
export function deployedFunctions(outdir: string, templateFiles: string[]): DeployedFunction[] {
  const names = deployedNames(STAGE);
  const found: DeployedFunction[] = [];
  for (const file of templateFiles) {
    const template = JSON.parse(readFileSync(file, 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const p = resource.Properties;
      const key = names.get(String(p.FunctionName));
      if (!key) continue;
      const s3Key = (p.Code as { S3Key?: string }).S3Key;
      if (!s3Key) throw new Error(`${key} has no bundled code: was the synth run without bundling?`);
      const handlerFile = String(p.Handler).replace(/\.[^.]+$/, '.mjs');
      const variables = (p.Environment as { Variables: Record<string, unknown> }).Variables;
      // Values that are references (table names, URLs) only need to be present for init: use placeholders
      // (API_CLIENTS is JSON of app client ids, read at init: an empty list).
      const environment = Object.fromEntries(
        Object.entries(variables).map(([name, value]) => [
          name,
          typeof value === 'string'
            ? value
            : name === ENV_KEYS.apiClients
              ? '[]'
              : `bench-${name.toLowerCase()}`,
        ]),
      );
      found.push({
        key,
        functionName: String(p.FunctionName),
        bundle: join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, handlerFile),
        environment,
      });
    }
  }
  return [...names.values()].map((key) => {
    const fn = found.find((f) => f.key === key);
    if (!fn) throw new Error(`function ${key} is missing from the synthesized templates`);
    return fn;
  });
}

/** What Lambda sets before init; no credentials are needed to construct clients. */
export function lambdaEnvironment(fn: DeployedFunction): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    ...fn.environment,
  };
}
