import { Aws } from 'aws-cdk-lib';
import { APP_NAME } from '../core/config/names';

/**
 * Roles with fixed names. The bus policy (stacks/bus-policy.ts, in Intake)
 * names the roles allowed to put PaymentRequested or paysaga.* events; two of
 * them live in stacks deployed after Intake (the API's submit function, the
 * saga), and a reference to them would make Intake depend on its dependants.
 * A fixed name gives a known ARN instead. IAM role names are per account, so
 * one stage of paysaga per account (the operations role already assumes it).
 */
export const ROLE_SUFFIXES = {
  operations: 'operations',
  finance: 'finance',
  apiSubmit: 'api-submit',
  saga: 'payment-saga',
} as const;
export type NamedRole = keyof typeof ROLE_SUFFIXES;

export function roleName(stage: string, role: NamedRole): string {
  return `${APP_NAME}-${stage}-${ROLE_SUFFIXES[role]}`;
}

/** The ARN aws:PrincipalArn carries for a session of the role (no path: paysaga's roles have none). */
export function roleArn(stage: string, role: NamedRole): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${roleName(stage, role)}`;
}
