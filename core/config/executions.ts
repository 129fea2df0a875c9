/** Step Functions redrives a failed, timed-out or aborted execution for 14 days after it stopped (AWS limit). */
export const REDRIVE_WINDOW_MS = 14 * 86_400_000;

/**
 * A saga's execution ARN: its state machine's ARN with `stateMachine` turned
 * into `execution`, then the execution name (the paymentId, or the topUpId),
 * as Step Functions forms it.
 */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}
