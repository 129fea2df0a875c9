/**
 * The account an ARN names (arn:<partition>:<service>:<region>:<account>:<resource>),
 * e.g. a Lambda function's own, from its invocation context: what a function
 * needs to build its stage's ARNs without asking STS who it is.
 */

export class MalformedArnError extends Error {
  override readonly name = 'MalformedArnError';
}

const ARN_WITH_ACCOUNT = /^arn:[a-z][a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):\S+$/;

export function accountOfArn(arn: string): string {
  const account = ARN_WITH_ACCOUNT.exec(arn)?.[1];
  if (!account) throw new MalformedArnError(`not an ARN that names an account: ${JSON.stringify(arn)}`);
  return account;
}
