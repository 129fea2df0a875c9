import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  EventSourceMapping,
  FilterCriteria,
  type IEventSourceDlq,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { OUTBOX } from '../core/config/outbox';
import { DETAIL_TYPES } from '../events/envelope';
import { type PaysagaFunction, paysagaFunction } from './functions';
import { ACTIONS, allow, keyStatement, queueSendStatement } from './permissions';
import { paysagaQueue } from './queues';

/** The ESM's on-failure destination by ARN only: CDK's SqsDlq would also grant kms:ReEncrypt* and GenerateDataKey*. */
const onFailureQueue = (queue: Queue): IEventSourceDlq => ({
  bind: () => ({ destination: queue.queueArn }),
});

export interface ApiOutboxOptions {
  readonly stage: string;
  readonly logRetention: RetentionDays;
  readonly logLevel: string;
  readonly removalPolicy: RemovalPolicy;
  readonly key: IKey;
  /** The table holding API#REQUEST records, with a NEW_IMAGE stream (stacks/Data.ts). */
  readonly table: ITable;
  readonly bus: IEventBus;
  /** The API clients' sources: the only ones it may publish PaymentRequested under. */
  readonly sources: readonly string[];
}

/**
 * The front door's outbox (core/frontdoor/outbox.ts): publish-outbox reads
 * the payments table's stream, filtered to request records not yet on the
 * bus, and publishes them; a failing batch is split and retried, then its
 * position goes to the outbox DLQ. It may read and mark request records, put
 * PaymentRequested under the clients' sources, read the stream and write
 * its DLQ: nothing else.
 */
export function apiOutbox(
  scope: Construct,
  options: ApiOutboxOptions,
): { readonly publisher: PaysagaFunction; readonly deadLetterQueue: Queue } {
  const { table, bus, key } = options;
  const streamArn = table.tableStreamArn;
  if (!streamArn) throw new Error('the outbox needs a stream on the table holding API#REQUEST records');
  const deadLetterQueue = paysagaQueue(scope, 'outboxDlq', {
    stage: options.stage,
    key,
    removalPolicy: options.removalPolicy,
  });
  const publisher = paysagaFunction(scope, 'publishOutbox', {
    stage: options.stage,
    logRetention: options.logRetention,
    logLevel: options.logLevel,
    removalPolicy: options.removalPolicy,
    env: { paymentsTable: table.tableName, eventBusName: bus.eventBusName },
    statements: [
      // The request record: read it (consistent), mark it published (UpdateItem).
      allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [table.tableArn]),
      // What a Lambda event source mapping calls on a DynamoDB stream (ListStreams takes no resource).
      allow(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], [streamArn]),
      allow(['dynamodb:ListStreams'], ['*']),
      // The on-failure destination: the mapping sends with the function's role.
      queueSendStatement([deadLetterQueue]),
      keyStatement(key, true),
      ...(options.sources.length > 0
        ? [
            new PolicyStatement({
              effect: Effect.ALLOW,
              actions: [...ACTIONS.putEvents],
              resources: [bus.eventBusArn],
              conditions: {
                StringEquals: {
                  'events:source': [...options.sources],
                  'events:detail-type': DETAIL_TYPES.paymentRequested,
                },
              },
            }),
          ]
        : []),
    ],
  });

  const mapping = new EventSourceMapping(scope, 'OutboxEventSource', {
    target: publisher.fn,
    eventSourceArn: streamArn,
    // A request recorded before the mapping existed is still unpublished: read the whole stream.
    startingPosition: StartingPosition.TRIM_HORIZON,
    batchSize: OUTBOX.batchSize,
    maxBatchingWindow: Duration.seconds(OUTBOX.maxBatchingWindowSeconds),
    bisectBatchOnError: true,
    retryAttempts: OUTBOX.retryAttempts,
    maxRecordAge: Duration.seconds(OUTBOX.maxRecordAgeSeconds),
    reportBatchItemFailures: true,
    onFailure: onFailureQueue(deadLetterQueue),
    filters: [FilterCriteria.filter(OUTBOX.filterPattern)],
  });
  // The mapping reads the stream with the function's role: it must exist with its policy first.
  mapping.node.addDependency(publisher.role);

  NagSuppressions.addResourceSuppressions(deadLetterQueue, [
    {
      id: 'AwsSolutions-SQS3',
      reason: "This queue is itself a dead-letter queue (the outbox mapping's on-failure destination)",
    },
  ]);
  return { publisher, deadLetterQueue };
}
