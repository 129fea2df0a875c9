import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MerchantNotification } from '../core/saga/notification';
import { fanOut } from '../core/webhooks/fanout';
import { logger } from './commons/logger';
import { clientLookup, enqueueDeliveries, webhookDeliveries, webhookEndpoints } from './commons/webhook-deps';

const deps = {
  clients: clientLookup(),
  endpoints: webhookEndpoints(),
  deliveries: webhookDeliveries(),
  enqueue: (messages: Parameters<typeof enqueueDeliveries>[0]) => enqueueDeliveries(messages),
  now: () => new Date(),
};

/**
 * The notification queue's consumer: each outcome becomes one delivery
 * message per subscribed endpoint of its client (core/webhooks/fanout.ts).
 * Partial batch responses: a message that fails stays for SQS to retry (and,
 * past maxReceiveCount, the notification DLQ); a message that is not a
 * notification is logged and dropped, never retried forever.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    await Promise.all(
      event.Records.map(async (record) => {
        let raw: unknown;
        try {
          raw = JSON.parse(record.body);
        } catch {
          raw = undefined;
        }
        const parsed = MerchantNotification.safeParse(raw);
        if (!parsed.success) {
          logger.error('not a merchant notification; dropped', { messageId: record.messageId });
          return;
        }
        try {
          const result = await fanOut(deps, parsed.data);
          logger.info('notification fanned out', {
            notificationId: parsed.data.notificationId,
            kind: parsed.data.kind,
            endpoints: result.queued.length,
          });
        } catch (error) {
          logger.error('fan-out failed; retried', {
            notificationId: parsed.data.notificationId,
            errorName: (error as Error).name,
            errorMessage: (error as Error).message,
          });
          failures.push({ itemIdentifier: record.messageId });
        }
      }),
    );
    return { batchItemFailures: failures };
  });
