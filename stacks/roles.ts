import { Aws } from 'aws-cdk-lib';
import { APP_NAME } from '../core/config/names';

/**
 * The team roles, named so that people and policies can refer to them (the
 * bus policy names the operations role, which lives in the Ops stack deployed
 * after it). IAM role names are per account: one stage of paysaga per account.
 */
export const ROLE_SUFFIXES = { operations: 'operations', finance: 'finance' } as const;
export type NamedRole = keyof typeof ROLE_SUFFIXES;

export function roleName(stage: string, role: NamedRole): string {
  return `${APP_NAME}-${stage}-${ROLE_SUFFIXES[role]}`;
}

/** The ARN aws:PrincipalArn carries for a session of the role (no path: paysaga's roles have none). */
export function roleArn(stage: string, role: NamedRole): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${roleName(stage, role)}`;
}
