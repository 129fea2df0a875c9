import type { FunctionKey, QueueKey, ResourceNames } from '../../core/config/names';
import type { EventPattern } from '../../events/envelope';
import type { RuntimeLog } from '../edge/runtime-log';
import type { EventBridgeService } from '../events/eventbridge-service';
import { sqsTarget } from '../events/sqs-target';
import type { FunctionInvoker } from '../functions/invoker';
import type { SqsService } from '../sqs/sqs-service';
import { SqsPoller } from './sqs-poller';

export interface BusIntakeDeps {
  readonly names: ResourceNames;
  readonly region: string;
  readonly sqs: SqsService;
  readonly events: EventBridgeService;
  readonly functions: FunctionInvoker;
  readonly log: RuntimeLog;
}

/** One request kind's intake: its rule, its queue (with its DLQ for undeliverable events), its function. */
export interface BusIntake {
  /** How logs and the rule's description name it, e.g. "top-up intake". */
  readonly label: string;
  readonly ruleName: string;
  readonly pattern: EventPattern;
  readonly detailType: string;
  readonly queue: QueueKey;
  readonly deadLetterQueue: QueueKey;
  readonly functionKey: FunctionKey;
}

/**
 * An intake as its stack wires it on AWS: the rule sending the request's
 * detail type to its intake queue (its DLQ for events it cannot deliver), and
 * the queue polled into the intake function like a Lambda event source.
 * Messages a previous run left in flight are released first.
 */
export async function startBusIntake(
  deps: BusIntakeDeps,
  intake: BusIntake,
): Promise<{ stop(): Promise<void> }> {
  const { names, sqs } = deps;
  const queueName = names.queues[intake.queue];
  deps.events.putRule({
    name: intake.ruleName,
    eventBusName: names.eventBus,
    pattern: intake.pattern,
    description: `${intake.detailType} -> ${intake.label} queue`,
    targets: [
      sqsTarget({
        id: `${intake.label.replace(/ /g, '-')}-queue`,
        sqs,
        queueName,
        deadLetterQueueName: names.queues[intake.deadLetterQueue],
      }),
    ],
  });
  const released = await sqs.releaseInFlight(queueName);
  if (released > 0) deps.log.info(`${intake.label} messages of the previous run released`, { released });
  const poller = new SqsPoller({
    sqs,
    queueName,
    region: deps.region,
    invoke: (event) => deps.functions.invoke(intake.functionKey, event),
    onError: (error) => deps.log.error(`${intake.label} batch failed`, error),
  });
  poller.start();
  return { stop: () => poller.stop() };
}
