import { createHash } from 'node:crypto';

/** Step Functions redrives a failed, timed-out or aborted execution for 14 days after it stopped (AWS limit). */
export const REDRIVE_WINDOW_MS = 14 * 86_400_000;

/** Where a state machine lives: the ARN's partition (aws, aws-cn, aws-us-gov, ...), region and account. */
export interface StateMachinePlace {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** A state machine's ARN, as Step Functions forms it; its executions' follow from it (executionArnFor). */
export function stateMachineArnFor(place: StateMachinePlace, name: string): string {
  return `arn:${place.partition}:states:${place.region}:${place.account}:stateMachine:${name}`;
}

/**
 * A saga's execution ARN: its state machine's ARN with `stateMachine` turned
 * into `execution`, then the execution name (the paymentId, or the topUpId),
 * as Step Functions forms it.
 */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

/**
 * A refund saga's execution name. A refundId is unique per payment only (it is
 * the client's Idempotency-Key), so the name carries both ids:
 * `<paymentId>.<refundId>` (ids never contain a dot), or, past Step Functions'
 * 80 characters, a digest of both, `..`, and the refundId's start (a form the
 * short one can never take, as it has a single dot).
 */
export function refundExecutionName(paymentId: string, refundId: string): string {
  const short = `${paymentId}.${refundId}`;
  if (short.length <= 80) return short;
  const digest = createHash('sha256').update(`${paymentId}\n${refundId}`).digest('hex').slice(0, 24);
  return `${digest}..${refundId.slice(0, 54)}`;
}
