import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/**
 * The IAM actions paysaga grants, each set named for what the code does with
 * it. Statements are written out instead of using CDK's grant* helpers, which
 * add actions nobody calls (ReEncrypt*, GetQueueUrl, BatchWriteItem, ...).
 */
export const ACTIONS = {
  tableRead: ['dynamodb:GetItem', 'dynamodb:Query'],
  tableWrite: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  /** Powertools idempotency: get/put/update a record, delete it when the wrapped call fails. */
  idempotency: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  queueSend: ['sqs:SendMessage'],
  /** What a Lambda SQS event source mapping calls on the queue. */
  queueConsume: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
  keyDecrypt: ['kms:Decrypt'],
  /** Writing to a KMS-encrypted table or queue: a data key is generated, and decrypted on reuse. */
  keyEncrypt: ['kms:Decrypt', 'kms:GenerateDataKey'],
  secretRead: ['secretsmanager:GetSecretValue'],
  putEvents: ['events:PutEvents'],
  invoke: ['lambda:InvokeFunction'],
} as const;

export function allow(
  actions: readonly string[],
  resources: readonly string[],
  sid?: string,
): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: [...actions],
    resources: [...resources],
    ...(sid && { sid }),
  });
}

/** The table and its indexes (Query on a GSI is authorized on the index ARN). */
export function tableResources(table: ITable): string[] {
  return [table.tableArn, `${table.tableArn}/index/*`];
}

export const tableReadStatement = (table: ITable): PolicyStatement =>
  allow(ACTIONS.tableRead, tableResources(table));

export const tableReadWriteStatement = (table: ITable): PolicyStatement =>
  allow([...ACTIONS.tableRead, ...ACTIONS.tableWrite], tableResources(table));

export const idempotencyStatement = (table: ITable): PolicyStatement =>
  allow(ACTIONS.idempotency, [table.tableArn]);

export const queueSendStatement = (queues: readonly IQueue[]): PolicyStatement =>
  allow(
    ACTIONS.queueSend,
    queues.map((queue) => queue.queueArn),
  );

export const keyStatement = (key: IKey, write: boolean): PolicyStatement =>
  allow(write ? ACTIONS.keyEncrypt : ACTIONS.keyDecrypt, [key.keyArn]);
