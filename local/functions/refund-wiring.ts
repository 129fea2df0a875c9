import { FUNCTIONS, type ResourceNames } from '../../core/config/names';
import { SAGA_ALIAS } from '../../core/config/release';
import {
  REFUND_ASL_PLACEHOLDERS,
  REFUND_FUNCTION_KEYS,
  renderRefundDefinition,
} from '../../core/refunds/definition';
import { DETAIL_TYPES, REFUND_REQUESTED_PATTERN } from '../../events/envelope';
import { LOCAL_ACCOUNT_ID } from '../edge/request-context';
import { type BusIntakeDeps, startBusIntake } from '../intake/bus-intake';
import { stateMachineArn } from '../sfn/arns';
import type { StateMachineConfig } from '../sfn/types';
import type { SqsService } from '../sqs/sqs-service';
import { functionArn } from './registry';

/** The refund ASL's substitutions for this runtime: local function ARNs and the compensation DLQ URL. */
export function refundSubstitutions(
  names: ResourceNames,
  region: string,
  sqs: SqsService,
): Record<string, string> {
  const substitutions: Record<string, string> = {
    [REFUND_ASL_PLACEHOLDERS.compensationDlqUrl]: sqs.queueUrl(names.queues.compensationDlq),
  };
  for (const key of REFUND_FUNCTION_KEYS) {
    const placeholder = FUNCTIONS[key].refundAslPlaceholder;
    if (placeholder) substitutions[placeholder] = functionArn(region, LOCAL_ACCOUNT_ID, names.functions[key]);
  }
  return substitutions;
}

/** The refund saga's state machine, run by the same local Step Functions service as the payment saga. */
export function refundStateMachine(
  names: ResourceNames,
  region: string,
  sqs: SqsService,
): StateMachineConfig {
  return {
    name: names.refundStateMachine,
    definition: renderRefundDefinition(refundSubstitutions(names, region, sqs)),
    alias: SAGA_ALIAS,
  };
}

export const refundStateMachineArn = (names: ResourceNames, region: string): string =>
  stateMachineArn(region, LOCAL_ACCOUNT_ID, names.refundStateMachine);

/** The refund intake, as stacks/Refund.ts wires it (local/intake/bus-intake.ts). */
export function startRefundIntake(deps: BusIntakeDeps): Promise<{ stop(): Promise<void> }> {
  return startBusIntake(deps, {
    label: 'refund intake',
    ruleName: deps.names.refundRule,
    pattern: REFUND_REQUESTED_PATTERN,
    detailType: DETAIL_TYPES.refundRequested,
    queue: 'refundIntake',
    deadLetterQueue: 'refundIntakeDlq',
    functionKey: 'refundIntake',
  });
}
