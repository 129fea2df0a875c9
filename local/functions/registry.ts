import type { Context } from 'aws-lambda';
import { FUNCTION_KEYS, FUNCTIONS, type FunctionKey, type ResourceNames } from '../../core/config/names';

/** A Lambda handler as functions/*.ts export it (middy returns a promise-returning function). */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Loads `functions/<entry>.ts` the way Lambda loads the bundle: once, on first invoke. */
export async function importHandler(key: FunctionKey): Promise<LambdaHandler> {
  const url = new URL(`../../${FUNCTIONS[key].entry}`, import.meta.url);
  const module = (await import(url.href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') {
    throw new Error(`${FUNCTIONS[key].entry} does not export a handler function`);
  }
  return module.handler as LambdaHandler;
}

export function functionArn(region: string, accountId: string, functionName: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
}

/** Which paysaga function a Lambda ARN (or bare function name) names; undefined for others. */
export function functionKeyOf(names: ResourceNames, arnOrName: string): FunctionKey | undefined {
  const name = arnOrName.startsWith('arn:') ? arnOrName.split(':')[6] : arnOrName;
  return FUNCTION_KEYS.find((key) => names.functions[key] === name);
}
