/**
 * A saga's execution ARN: its state machine's ARN with `stateMachine` turned
 * into `execution`, then the execution name (the paymentId, or the topUpId),
 * as Step Functions forms it.
 */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}
