import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { deliver } from '../core/webhooks/deliver';
import { DeliveryMessage } from '../core/webhooks/model';
import { logger } from './commons/logger';
import { deliverDeps } from './commons/webhook-deps';

const deps = deliverDeps();

/**
 * The delivery queue's consumer: one signed attempt per message, all the
 * batch's messages at once, each endpoint at most
 * WEBHOOKS.isolation.slotsPerEndpoint attempts in flight (a message finding
 * its endpoint busy is requeued shortly, not attempted), each failure
 * requeued with its own back-off or dead-lettered with the reason
 * (core/webhooks/deliver.ts). Partial batch responses: only a message whose
 * storage or queue write failed stays for SQS to retry.
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
        const parsed = DeliveryMessage.safeParse(raw);
        if (!parsed.success) {
          logger.error('not a delivery message; dropped', { messageId: record.messageId });
          return;
        }
        const { eventId, endpointId } = parsed.data;
        try {
          const outcome = await deliver(deps, parsed.data);
          // A busy endpoint's requeue is no attempt: kept out of the info log (a hanging endpoint's first seconds make many).
          if (outcome === 'busy')
            logger.debug('webhook delivery requeued: endpoint busy', { eventId, endpointId });
          else logger.info('webhook delivery', { eventId, endpointId, outcome });
        } catch (error) {
          logger.error('webhook delivery failed; retried', {
            eventId,
            endpointId,
            errorName: (error as Error).name,
            errorMessage: (error as Error).message,
          });
          failures.push({ itemIdentifier: record.messageId });
        }
      }),
    );
    return { batchItemFailures: failures };
  });
