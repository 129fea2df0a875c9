import { FUNCTIONS, type ResourceNames } from '../../core/config/names';
import { SAGA_ALIAS } from '../../core/config/release';
import {
  REFUND_ASL_PLACEHOLDERS,
  REFUND_FUNCTION_KEYS,
  renderRefundDefinition,
} from '../../core/refunds/definition';
import { REFUND_REQUESTED_PATTERN } from '../../events/envelope';
import { LOCAL_ACCOUNT_ID } from '../edge/request-context';
import type { RuntimeLog } from '../edge/runtime-log';
import type { EventBridgeService } from '../events/eventbridge-service';
import { sqsTarget } from '../events/sqs-target';
import { SqsPoller } from '../intake/sqs-poller';
import type { StateMachineConfig } from '../sfn/types';
import type { SqsService } from '../sqs/sqs-service';
import type { FunctionInvoker } from './invoker';
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
  `arn:aws:states:${region}:${LOCAL_ACCOUNT_ID}:stateMachine:${names.refundStateMachine}`;

/**
 * The refund intake, as stacks/Refund.ts wires it: the RefundRequested rule
 * into the refund intake queue (its DLQ for undeliverable events) and the
 * queue polled into the refund intake function like a Lambda event source.
 */
export async function startRefundIntake(deps: {
  readonly names: ResourceNames;
  readonly region: string;
  readonly sqs: SqsService;
  readonly events: EventBridgeService;
  readonly functions: FunctionInvoker;
  readonly log: RuntimeLog;
}): Promise<{ stop(): Promise<void> }> {
  const { names, sqs } = deps;
  deps.events.putRule({
    name: names.refundRule,
    eventBusName: names.eventBus,
    pattern: REFUND_REQUESTED_PATTERN,
    description: 'RefundRequested -> refund intake queue',
    targets: [
      sqsTarget({
        id: 'refund-intake-queue',
        sqs,
        queueName: names.queues.refundIntake,
        deadLetterQueueName: names.queues.refundIntakeDlq,
      }),
    ],
  });
  const released = await sqs.releaseInFlight(names.queues.refundIntake);
  if (released > 0) deps.log.info('refund intake messages of the previous run released', { released });
  const poller = new SqsPoller({
    sqs,
    queueName: names.queues.refundIntake,
    region: deps.region,
    invoke: (event) => deps.functions.invoke('refundIntake', event),
    onError: (error) => deps.log.error('refund intake batch failed', error),
  });
  poller.start();
  return { stop: () => poller.stop() };
}
