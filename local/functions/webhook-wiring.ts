import type { ResourceNames } from '../../core/config/names';
import { WEBHOOKS } from '../../core/config/webhooks';
import type { RuntimeLog } from '../edge/runtime-log';
import { SqsPoller } from '../intake/sqs-poller';
import type { SqsService } from '../sqs/sqs-service';
import type { FunctionInvoker } from './invoker';

/** The local KMS key id that encrypts webhook signing secrets (the stage's key on AWS). */
export const LOCAL_WEBHOOK_KEY_ID = 'paysaga-local-webhooks';

/**
 * Merchant webhooks, as stacks/Webhooks.ts wires them: the notification queue
 * polled into the fan-out, and the delivery queue polled into the delivery
 * function (WEBHOOKS.isolation.deliveryBatches.local batches at once: a
 * hanging endpoint holds at most slotsPerEndpoint of them, each for at most
 * the attempt timeout).
 */
export async function startWebhooks(deps: {
  readonly names: ResourceNames;
  readonly region: string;
  readonly sqs: SqsService;
  readonly functions: FunctionInvoker;
  readonly log: RuntimeLog;
}): Promise<{ stop(): Promise<void> }> {
  const { names, sqs } = deps;
  const pollers: SqsPoller[] = [];
  for (const [queue, fn, concurrency] of [
    [names.queues.notification, 'webhookFanout', 2],
    [names.queues.webhookDelivery, 'webhookDeliver', WEBHOOKS.isolation.deliveryBatches.local],
  ] as const) {
    const released = await sqs.releaseInFlight(queue);
    if (released > 0) deps.log.info('webhook messages of the previous run released', { queue, released });
    const poller = new SqsPoller({
      sqs,
      queueName: queue,
      region: deps.region,
      concurrency,
      invoke: (event) => deps.functions.invoke(fn, event),
      onError: (error) => deps.log.error(`${fn} batch failed`, error),
    });
    poller.start();
    pollers.push(poller);
  }
  return { stop: async () => void (await Promise.all(pollers.map((poller) => poller.stop()))) };
}
