import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * A Lambda-like context for running handlers in-process: request id, function
 * name and ARN, and a remaining-time clock that counts down from the timeout.
 */
export function lambdaContext(options: {
  functionName: string;
  timeoutSeconds: number;
  memoryMb?: number;
  region?: string;
  accountId?: string;
}): Context {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryMb ?? 512),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
