import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';

/** An EventBridge event as the intake rule's SQS target delivers it to the intake Lambda. */
export function intakeRecord(detail: unknown, queueName: string, detailType = 'PaymentRequested'): SQSRecord {
  const body = JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'shop.checkout',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  });
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'events',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
    awsRegion: 'us-east-1',
  };
}
