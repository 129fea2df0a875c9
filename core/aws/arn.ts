/**
 * The account an ARN names (arn:<partition>:<service>:<region>:<account>:<resource>),
 * with its partition (aws, aws-cn, aws-us-gov, ...), e.g. a Lambda function's own,
 * from its invocation context, or payctl's caller from STS: what a function
 * needs to build its stage's ARNs without asking STS who it is.
 */

export interface AwsAccount {
  readonly account: string;
  /** The ARN's partition: every ARN built for this account starts `arn:<partition>:`. */
  readonly partition: string;
}

export class MalformedArnError extends Error {
  override readonly name = 'MalformedArnError';
}

const ARN_WITH_ACCOUNT = /^arn:([a-z][a-z0-9-]*):[a-z0-9-]+:[a-z0-9-]*:(\d{12}):\S+$/;

export function accountOfArn(arn: string): AwsAccount {
  const [, partition, account] = ARN_WITH_ACCOUNT.exec(arn) ?? [];
  if (!partition || !account) {
    throw new MalformedArnError(`not an ARN that names an account: ${JSON.stringify(arn)}`);
  }
  return { account, partition };
}
