import { FUNCTIONS, type ResourceNames, TOP_UP_ASL_RESOURCE_PLACEHOLDERS } from '../../core/config/names';
import { SAGA_ALIAS } from '../../core/config/release';
import { renderTopUpDefinition, TOP_UP_FUNCTION_KEYS } from '../../core/topups/definition';
import { DETAIL_TYPES, TOP_UP_REQUESTED_PATTERN } from '../../events/envelope';
import { LOCAL_ACCOUNT_ID } from '../edge/request-context';
import { type BusIntakeDeps, startBusIntake } from '../intake/bus-intake';
import { stateMachineArn } from '../sfn/arns';
import type { StateMachineConfig } from '../sfn/types';
import type { SqsService } from '../sqs/sqs-service';
import { functionArn } from './registry';

/** The top-up ASL's substitutions for this runtime: local function ARNs and the compensation DLQ URL. */
export function topUpSubstitutions(
  names: ResourceNames,
  region: string,
  sqs: SqsService,
): Record<string, string> {
  const substitutions: Record<string, string> = {
    [TOP_UP_ASL_RESOURCE_PLACEHOLDERS.compensationDlqUrl]: sqs.queueUrl(names.queues.compensationDlq),
  };
  for (const key of TOP_UP_FUNCTION_KEYS) {
    const placeholder = FUNCTIONS[key].topUpAslPlaceholder;
    if (placeholder) substitutions[placeholder] = functionArn(region, LOCAL_ACCOUNT_ID, names.functions[key]);
  }
  return substitutions;
}

/** The top-up saga's state machine, run by the same local Step Functions service as the payment saga. */
export function topUpStateMachine(names: ResourceNames, region: string, sqs: SqsService): StateMachineConfig {
  return {
    name: names.topUpStateMachine,
    definition: renderTopUpDefinition(topUpSubstitutions(names, region, sqs)),
    alias: SAGA_ALIAS,
  };
}

export const topUpStateMachineArn = (names: ResourceNames, region: string): string =>
  stateMachineArn(region, LOCAL_ACCOUNT_ID, names.topUpStateMachine);

/** The top-up intake, as stacks/TopUp.ts wires it (local/intake/bus-intake.ts). */
export function startTopUpIntake(deps: BusIntakeDeps): Promise<{ stop(): Promise<void> }> {
  return startBusIntake(deps, {
    label: 'top-up intake',
    ruleName: deps.names.topUpRule,
    pattern: TOP_UP_REQUESTED_PATTERN,
    detailType: DETAIL_TYPES.topUpRequested,
    queue: 'topUpIntake',
    deadLetterQueue: 'topUpIntakeDlq',
    functionKey: 'topUpIntake',
  });
}
