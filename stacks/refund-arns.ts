import { ArnFormat } from 'aws-cdk-lib';
import type { Stack } from 'sst/constructs';
import { resourceNames } from '../core/config/names';

/** The refund state machine's ARN from its deterministic name (as stacks/topup-arns.ts does for top-ups). */
export function refundStateMachineArn(stack: Stack): string {
  return stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: resourceNames(stack.stage).refundStateMachine,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Every execution of the refund saga (names from refundExecutionName: paymentId.refundId, or a digest). */
export function refundExecutionsArn(stack: Stack): string {
  return stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${resourceNames(stack.stage).refundStateMachine}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The RefundRequested rule on the paysaga bus: rule/<bus>/<rule>. */
export function refundRuleArn(stack: Stack): string {
  const names = resourceNames(stack.stage);
  return stack.formatArn({
    service: 'events',
    resource: 'rule',
    resourceName: `${names.eventBus}/${names.refundRule}`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
