import { Duration } from 'aws-cdk-lib';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { NagSuppressions } from 'cdk-nag';
import { type StackContext, use } from 'sst/constructs';
import { WEBHOOKS } from '../core/config/webhooks';
import { Data } from './Data';
import { type PaysagaFunction, paysagaFunction } from './functions';
import { ACTIONS, allow, keyStatement, queueSendStatement } from './permissions';
import { paysagaQueue } from './queues';
import { Saga } from './Saga';
import { stageConfig } from './stage-config';

/**
 * Merchant webhooks (README "Merchant webhooks"): the notification queue's
 * consumer fans each outcome out to one delivery message per subscribed
 * endpoint; the delivery function makes one signed attempt per message and
 * requeues a failure with its own back-off (SQS DelaySeconds, hops of 15
 * minutes) until the 25 h window ends in the webhook DLQ; each endpoint has
 * at most WEBHOOKS.isolation.slotsPerEndpoint attempts in flight. Endpoints, events
 * and the delivery log are items of the payments table; signing secrets are
 * encrypted with the stage's key. The functions run outside any VPC: outbound
 * HTTPS to merchants goes straight out, with no NAT to run.
 */
export function Webhooks({ stack }: StackContext) {
  const { key, tables } = use(Data);
  const saga = use(Saga);
  const config = stageConfig(stack.stage);
  const queueOptions = { stage: stack.stage, key, removalPolicy: config.removalPolicy };
  const webhookDlq = paysagaQueue(stack, 'webhookDlq', queueOptions);
  const deliveryQueue = paysagaQueue(stack, 'webhookDelivery', {
    ...queueOptions,
    deadLetterQueues: { webhookDlq },
  });
  NagSuppressions.addResourceSuppressions(webhookDlq, [
    { id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue (of webhook deliveries)' },
  ]);

  const functionOptions = {
    stage: stack.stage,
    logRetention: config.logRetention,
    logLevel: config.logLevel,
    removalPolicy: config.removalPolicy,
  };
  const payments = tables.payments.tableArn;
  const functions: Record<'webhookFanout' | 'webhookDeliver', PaysagaFunction> = {
    webhookFanout: paysagaFunction(stack, 'webhookFanout', {
      ...functionOptions,
      env: { paymentsTable: tables.payments.tableName, webhookDeliveryQueueUrl: deliveryQueue.queueUrl },
      statements: [
        allow(ACTIONS.queueConsume, [saga.notificationQueue.queueArn]),
        // The payment's or top-up's client (GetItem), its endpoints (Query), the event and deliveries (puts).
        allow(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'], [payments]),
        queueSendStatement([deliveryQueue]),
        keyStatement(key, true),
      ],
    }),
    webhookDeliver: paysagaFunction(stack, 'webhookDeliver', {
      ...functionOptions,
      env: {
        paymentsTable: tables.payments.tableName,
        webhookDeliveryQueueUrl: deliveryQueue.queueUrl,
        webhookDlqUrl: webhookDlq.queueUrl,
        webhookKeyId: key.keyArn,
      },
      statements: [
        allow(ACTIONS.queueConsume, [deliveryQueue.queueArn]),
        // Event, endpoint, delivery, health (GetItem); attempts (PutItem); delivery, health and its slots (UpdateItem).
        allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [payments]),
        queueSendStatement([deliveryQueue, webhookDlq]),
        // Decrypt: the signing secrets, and the queue's data key; GenerateDataKey: sending to the queues.
        keyStatement(key, true),
      ],
    }),
  };
  new EventSourceMapping(stack, 'WebhookFanoutEventSource', {
    target: functions.webhookFanout.fn,
    eventSourceArn: saga.notificationQueue.queueArn,
    batchSize: 10,
    reportBatchItemFailures: true,
  });
  // Isolation (core/config/webhooks.ts): each endpoint holds at most slotsPerEndpoint batches (a
  // hanging attempt holds its batch for the 10 s timeout), so with 50 batches at once up to 12
  // endpoints may hang together and every other endpoint still finds one; the cap also keeps the
  // webhooks from taking the account's concurrency from the sagas.
  new EventSourceMapping(stack, 'WebhookDeliverEventSource', {
    target: functions.webhookDeliver.fn,
    eventSourceArn: deliveryQueue.queueArn,
    batchSize: 10,
    maxBatchingWindow: Duration.seconds(0),
    maxConcurrency: WEBHOOKS.isolation.deliveryBatches.aws,
    reportBatchItemFailures: true,
  });

  return { deliveryQueue, functions, deadLetterQueues: { webhookDlq } };
}
