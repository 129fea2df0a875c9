import { executionArnFor, stateMachineArnFor } from '../../core/config/executions';
import { AwsServiceError } from '../edge/aws-json-service';

/** ARNs and names as Step Functions forms and checks them. */

/** The local runtime is one account in the `aws` partition; the formula is core/config/executions.ts's. */
export function stateMachineArn(region: string, accountId: string, name: string): string {
  return stateMachineArnFor({ partition: 'aws', region, account: accountId }, name);
}

export function executionArn(
  region: string,
  accountId: string,
  stateMachineName: string,
  name: string,
): string {
  return executionArnFor(stateMachineArn(region, accountId, stateMachineName), name);
}

const ARN_PATTERN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):(stateMachine|execution):(.+)$/;

export interface ParsedArn {
  readonly region: string;
  readonly accountId: string;
  readonly resourceType: 'stateMachine' | 'execution';
  readonly resource: string;
}

export function parseArn(arn: string, expected: ParsedArn['resourceType'], field: string): ParsedArn {
  const match = ARN_PATTERN.exec(arn);
  if (!match)
    throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}' is not a Step Functions ARN (${field})`);
  const [, region = '', accountId = '', resourceType, resource = ''] = match;
  if (resourceType !== expected) {
    throw new AwsServiceError(
      'InvalidArn',
      `Invalid Arn: 'Resource type not valid in this context: ${resourceType}' (${field} must be a ${expected} ARN)`,
    );
  }
  if (expected === 'execution' && !resource.includes(':')) {
    throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}' has no execution name (${field})`);
  }
  return { region, accountId, resourceType: expected, resource };
}

/**
 * AWS: 1-80 characters; no whitespace, brackets `< > { } [ ]`, wildcards `? *`,
 * special characters `" # % \ ^ | ~ ` $ & , ; : /`, or control characters.
 */
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]|\p{Cc}/u;

export function assertValidExecutionName(name: string): void {
  if (name.length < 1 || name.length > 80) {
    throw new AwsServiceError('InvalidName', `Invalid Name: '${name}' must be 1 to 80 characters long`);
  }
  const bad = FORBIDDEN_NAME_CHARACTERS.exec(name);
  if (bad) {
    throw new AwsServiceError(
      'InvalidName',
      `Invalid Name: '${name}' contains ${JSON.stringify(bad[0])}; names may not contain whitespace, brackets, wildcards, control characters or any of " # % \\ ^ | ~ \` $ & , ; : /`,
    );
  }
}
