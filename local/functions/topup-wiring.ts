import { FUNCTIONS, type ResourceNames, TOP_UP_ASL_RESOURCE_PLACEHOLDERS } from '../../core/config/names';
import { SAGA_ALIAS } from '../../core/config/release';
import { renderTopUpDefinition, TOP_UP_FUNCTION_KEYS } from '../../core/topups/definition';
import { TOP_UP_REQUESTED_PATTERN } from '../../events/envelope';
import { LOCAL_ACCOUNT_ID } from '../edge/request-context';
import type { RuntimeLog } from '../edge/runtime-log';
import type { EventBridgeService } from '../events/eventbridge-service';
import { sqsTarget } from '../events/sqs-target';
import { SqsPoller } from '../intake/sqs-poller';
import type { StateMachineConfig } from '../sfn/types';
import type { SqsService } from '../sqs/sqs-service';
import type { FunctionInvoker } from './invoker';
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
  `arn:aws:states:${region}:${LOCAL_ACCOUNT_ID}:stateMachine:${names.topUpStateMachine}`;

/**
 * The top-up intake, as stacks/TopUp.ts wires it: the TopUpRequested rule into
 * the top-up intake queue (its DLQ for undeliverable events) and the queue
 * polled into the top-up intake function like a Lambda event source.
 */
export async function startTopUpIntake(deps: {
  readonly names: ResourceNames;
  readonly region: string;
  readonly sqs: SqsService;
  readonly events: EventBridgeService;
  readonly functions: FunctionInvoker;
  readonly log: RuntimeLog;
}): Promise<{ stop(): Promise<void> }> {
  const { names, sqs } = deps;
  deps.events.putRule({
    name: names.topUpRule,
    eventBusName: names.eventBus,
    pattern: TOP_UP_REQUESTED_PATTERN,
    description: 'TopUpRequested -> top-up intake queue',
    targets: [
      sqsTarget({
        id: 'top-up-intake-queue',
        sqs,
        queueName: names.queues.topUpIntake,
        deadLetterQueueName: names.queues.topUpIntakeDlq,
      }),
    ],
  });
  const released = await sqs.releaseInFlight(names.queues.topUpIntake);
  if (released > 0) deps.log.info('top-up intake messages of the previous run released', { released });
  const poller = new SqsPoller({
    sqs,
    queueName: names.queues.topUpIntake,
    region: deps.region,
    invoke: (event) => deps.functions.invoke('topUpIntake', event),
    onError: (error) => deps.log.error('top-up intake batch failed', error),
  });
  poller.start();
  return { stop: () => poller.stop() };
}
