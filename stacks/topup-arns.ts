import { ArnFormat } from 'aws-cdk-lib';
import type { Stack } from 'sst/constructs';
import { resourceNames } from '../core/config/names';

/** The top-up state machine's ARN from its deterministic name (as stacks/arns.ts does for the payment saga). */
export function topUpStateMachineArn(stack: Stack): string {
  return stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: resourceNames(stack.stage).topUpStateMachine,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Every execution of the top-up saga (execution names are topUpIds). */
export function topUpExecutionsArn(stack: Stack): string {
  return stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${resourceNames(stack.stage).topUpStateMachine}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The TopUpRequested rule on the paysaga bus: rule/<bus>/<rule>. */
export function topUpRuleArn(stack: Stack): string {
  const names = resourceNames(stack.stage);
  return stack.formatArn({
    service: 'events',
    resource: 'rule',
    resourceName: `${names.eventBus}/${names.topUpRule}`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
