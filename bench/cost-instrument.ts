/**
 * The counters `npm run bench:cost` hooks into the handlers' shared clients (functions/commons/clients/: the
 * local runtime runs the handlers in this process), and what it reads off the ASL and git.
 */
import { execFileSync } from 'node:child_process';
import { FUNCTION_KEYS, FUNCTIONS, type FunctionKey } from '../core/config/names';
import { dynamoDb } from '../functions/commons/clients/dynamodb';
import { kms } from '../functions/commons/clients/kms';
import { s3 } from '../functions/commons/clients/s3';
import { sqs } from '../functions/commons/clients/sqs';
import { READ_OPERATIONS, WRITE_OPERATIONS } from '../test/helpers/dynamo-writes';

/** Requests of the handlers' SQS, S3 and KMS clients during one flow. */
export interface ClientCounts {
  sqsRequests: number;
  s3PutRequests: number;
  s3GetRequests: number;
  kmsRequests: number;
}
const noCounts = (): ClientCounts => ({
  sqsRequests: 0,
  s3PutRequests: 0,
  s3GetRequests: 0,
  kmsRequests: 0,
});
let counts = noCounts();
/** The counts since the last reset. */
export const clientCounts = (): Readonly<ClientCounts> => counts;
export const resetClientCounts = (): void => {
  counts = noCounts();
};

type Handler = (args: { input: Record<string, unknown> }) => Promise<{ output: unknown }>;
type Middleware = (next: Handler, context: { readonly commandName: string }) => Handler;
/** The one method of the lean clients' middleware stack used here. */
const stackOf = (client: { middlewareStack: unknown }) =>
  client.middlewareStack as { add(middleware: Middleware, options: { step: string; name: string }): void };

const DYNAMO_COUNTED = new Set([...WRITE_OPERATIONS, ...READ_OPERATIONS].map((op) => `${op}Command`));
/** Asks DynamoDB for the capacity each call consumed (the edge counter reads it off the answer). */
const askCapacity: Middleware = (next, context) => async (args) => {
  if (DYNAMO_COUNTED.has(context.commandName)) args.input.ReturnConsumedCapacity = 'TOTAL';
  return next(args);
};
/** Counts SQS requests (EventBridge events are counted on the bus: the ASL puts some itself). */
const countSqs: Middleware = (next) => async (args) => {
  counts.sqsRequests += 1;
  return next(args);
};
const countKms: Middleware = (next) => async (args) => {
  counts.kmsRequests += 1;
  return next(args);
};
/** S3's PUT/COPY/POST/LIST price class; every other request is in the GET class. */
const S3_PUT_CLASS = new Set(['PutObjectCommand', 'ListObjectsV2Command']);

/** Hooks the handlers' shared clients (functions/commons/clients/): the runtime runs them in this process. */
export function instrumentHandlerClients(): void {
  stackOf(dynamoDb).add(askCapacity, { step: 'initialize', name: 'paysagaCostCapacity' });
  stackOf(sqs).add(countSqs, { step: 'initialize', name: 'paysagaCostSqs' });
  stackOf(kms).add(countKms, { step: 'initialize', name: 'paysagaCostKms' });
  const send = s3.send.bind(s3);
  s3.send = ((command: { constructor: { name: string } }) => {
    if (S3_PUT_CLASS.has(command.constructor.name)) counts.s3PutRequests += 1;
    else counts.s3GetRequests += 1;
    return send(command as never);
  }) as typeof s3.send;
}

/** Lambda task states of a state machine, by the function placeholder in their Resource. */
export function lambdaStates(
  definitionText: string,
  placeholder: 'aslPlaceholder' | 'topUpAslPlaceholder' | 'refundAslPlaceholder',
): Map<string, FunctionKey> {
  const definition = JSON.parse(definitionText) as { States: Record<string, { Resource?: string }> };
  const byState = new Map<string, FunctionKey>();
  for (const [name, state] of Object.entries(definition.States)) {
    const key = FUNCTION_KEYS.find((k) => state.Resource === `\${${FUNCTIONS[k][placeholder]}}`);
    if (key) byState.set(name, key);
  }
  return byState;
}

export function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync(
      'git',
      ['status', '--porcelain', '--', 'bench', 'core', 'functions', 'local'],
      {
        encoding: 'utf8',
      },
    ).trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}
