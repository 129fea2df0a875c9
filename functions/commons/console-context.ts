import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { CliError } from '../../cli/errors';
import {
  createOpsContext,
  createServiceClients,
  type OpsContext,
  type ServiceClientsOptions,
} from '../../cli/ops-context';
import { accountOfArn } from '../../core/aws/arn';

/**
 * The hosted console API's context (functions/commons/console-lambda.ts): the same data
 * functions as `payctl console`, over the lean clients of core/aws with the
 * credentials Lambda puts in the environment, so the function's bundle holds
 * no AWS SDK client or credential chain (cli/context.ts keeps those for payctl).
 * Where payctl asks STS, the function already knows: its account is in its
 * own ARN (the invocation's `invokedFunctionArn`, learnt by `middleware`
 * before the handler runs), and who acts is the signed-in person, whom
 * cli/console/auth/people.ts puts in every request's data functions.
 */

export interface ConsoleLambdaContext {
  readonly deps: OpsContext;
  /** Learns the function's account from the invocation; runs before the handler. */
  readonly middleware: MiddlewareObj<unknown, unknown, Error, Context>;
}

/**
 * `aws`: where the clients go; default as payctl's: AWS_ENDPOINT_URL (the local runtime) or AWS, the
 * region and credentials from the environment (tests give a local runtime's).
 */
export function consoleLambdaContext(
  stage: string,
  aws: ServiceClientsOptions = { endpoint: process.env.AWS_ENDPOINT_URL || undefined },
): ConsoleLambdaContext {
  let functionArn: string | undefined;
  const deps = createOpsContext({
    stage,
    clients: createServiceClients(aws),
    local: Boolean(aws.endpoint),
    account: async () => {
      if (!functionArn) throw new CliError('the function has not been invoked yet: its account is not known');
      return accountOfArn(functionArn);
    },
    identity: () =>
      Promise.reject(
        new CliError('the console API acts only as the signed-in person (cli/console/auth/people.ts)'),
      ),
  });
  return {
    deps,
    middleware: {
      name: 'console-account',
      before: ({ context }) => {
        functionArn ??= context.invokedFunctionArn;
      },
    },
  };
}
