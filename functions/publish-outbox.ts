import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { required } from '../core/config/env';
import { ApiRequestStore } from '../core/frontdoor/api-request-store';
import { type OutboxDeps, outboxChangesOf, publishOutbox } from '../core/frontdoor/outbox';
import { eventBridgePublisher, PublishRefusedError } from '../core/frontdoor/outbox-publish';
import { documentClient } from './commons/clients/dynamodb';
import { eventBridge } from './commons/clients/eventbridge';
import { env } from './commons/env';
import { logger } from './commons/logger';

const deps: OutboxDeps = {
  requests: new ApiRequestStore(documentClient, required(env, 'paymentsTable')),
  publish: eventBridgePublisher(eventBridge, required(env, 'eventBusName')),
  now: () => new Date(),
};

/**
 * The front door's outbox: a stream batch of request records not yet on the
 * bus (the event source mapping's filter), published and marked. A failure
 * reports its record as the batch's first failure, so the stream retries from
 * it (bisecting, then the outbox DLQ); records before it are done.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const changes = outboxChangesOf(event.Records);
    const result = await publishOutbox(deps, changes);
    logger.info('outbox batch', {
      records: event.Records.length,
      published: result.published,
      skipped: result.skipped.length,
    });
    if (!result.failed) return { batchItemFailures: [] };
    const { change, error } = result.failed;
    const details = { paymentId: change.paymentId, errorName: error.name, errorMessage: error.message };
    if (error instanceof PublishRefusedError)
      logger.error('outbox: the event bus refused a request', details);
    else logger.warn('outbox: publish failed; the stream retries it', details);
    return { batchItemFailures: [{ itemIdentifier: change.sequenceNumber }] };
  });
