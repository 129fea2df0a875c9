import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { type ResourceNames, TABLE_KEY_SCHEMA } from '../../core/config/names';
import { OUTBOX } from '../../core/config/outbox';
import type { RuntimeLog } from '../edge/runtime-log';
import type { FunctionInvoker } from '../functions/invoker';
import type { SqsService } from '../sqs/sqs-service';
import { StreamConsumer } from './stream-consumer';
import { LocalTableStream } from './table-stream';

/**
 * The front door's outbox, locally as on AWS (stacks/Outbox.ts): the stream
 * of the table holding API#REQUEST records, consumed by publish-outbox with
 * the same filter, batch size and retries, failures to the outbox DLQ.
 */
export function outboxStream(names: ResourceNames, dataDir: string | undefined): LocalTableStream {
  return new LocalTableStream(
    names.tables[OUTBOX.table],
    [TABLE_KEY_SCHEMA.partitionKey, TABLE_KEY_SCHEMA.sortKey],
    dataDir,
  );
}

export function startOutboxConsumer(options: {
  readonly stream: LocalTableStream;
  readonly dynamodb: DynamoDBClient;
  readonly region: string;
  readonly names: ResourceNames;
  readonly functions: FunctionInvoker;
  readonly sqs: SqsService;
  readonly log: RuntimeLog;
}): StreamConsumer {
  const { names, sqs, log } = options;
  const consumer = new StreamConsumer({
    stream: options.stream,
    dynamodb: options.dynamodb,
    region: options.region,
    filterPattern: OUTBOX.filterPattern,
    batchSize: OUTBOX.batchSize,
    batchingWindowMs: OUTBOX.maxBatchingWindowSeconds * 1000,
    retryAttempts: OUTBOX.retryAttempts,
    pollIntervalMs: OUTBOX.localPollIntervalMs,
    invoke: (event: DynamoDBStreamEvent) => options.functions.invoke('publishOutbox', event),
    onFailure: async (failure) => {
      log.error(
        'outbox batch failed after its retries; its position is in the outbox DLQ',
        undefined,
        failure,
      );
      await sqs.call('SendMessage', {
        QueueUrl: sqs.queueUrl(names.queues.outboxDlq),
        MessageBody: JSON.stringify(failure),
      });
    },
    onError: (error) => log.error('outbox delivery failed; it is retried', error),
  });
  consumer.start();
  return consumer;
}
