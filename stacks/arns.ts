import { ArnFormat } from 'aws-cdk-lib';
import type { Stack } from 'sst/constructs';
import { resourceNames } from '../core/config/names';

/**
 * ARNs built from the deterministic names in names.ts. They let a stack refer
 * to a resource of a later stack (intake starts the saga, which is defined
 * after it) without a cross-stack reference and its deploy-order cycle.
 */
export function sagaStateMachineArn(stack: Stack): string {
  return stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: resourceNames(stack.stage).stateMachine,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Every execution of the saga (execution names are paymentIds, unknown in advance). */
export function sagaExecutionsArn(stack: Stack): string {
  return stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${resourceNames(stack.stage).stateMachine}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** A rule on a custom bus: rule/<bus>/<rule>. */
export function intakeRuleArn(stack: Stack): string {
  const names = resourceNames(stack.stage);
  return stack.formatArn({
    service: 'events',
    resource: 'rule',
    resourceName: `${names.eventBus}/${names.intakeRule}`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
