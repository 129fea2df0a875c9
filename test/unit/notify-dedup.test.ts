import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SendMessageCommand, SQSClient } from '../../core/aws/sqs';
import type { NotifyInput } from '../../core/saga/state';
import { mockLeanClient } from '../helpers/lean-aws-mock';
import { paymentRequest } from '../helpers/payments';

/**
 * Notify is at-least-once: a crash between SendMessage and saving the
 * idempotency record runs the step again. Here no record is ever saved (the
 * mocked table forgets every write), so each invocation is such a replay; the
 * two messages must carry one id the consumer can dedupe on.
 */
const sqs = mockLeanClient(SQSClient);
const dynamodb = mockClient(DynamoDBClient);
const documents = mockClient(DynamoDBDocumentClient);
let handler: (event: unknown, context: Context) => Promise<unknown>;

beforeAll(async () => {
  vi.stubEnv('IDEMPOTENCY_TABLE', 'idempotency-test');
  vi.stubEnv('PAYMENTS_TABLE', 'payments-test');
  vi.stubEnv('NOTIFICATION_QUEUE_URL', 'http://localhost/000000000000/notification');
  ({ handler } = (await import('../../functions/notify')) as unknown as { handler: typeof handler });
});
afterAll(() => {
  vi.unstubAllEnvs();
  sqs.restore();
  dynamodb.restore();
  documents.restore();
});
beforeEach(() => {
  sqs.reset();
  dynamodb.reset();
  documents.reset();
  dynamodb.resolves({});
  documents.resolves({});
  sqs.on(SendMessageCommand).callsFake(() => ({ MessageId: randomUUID() }));
});

const context = (requestId: string) =>
  ({
    functionName: 'notify',
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => 10_000,
  }) as unknown as Context;

function notifyInput(paymentId: string): NotifyInput {
  return {
    payment: paymentRequest('wal_1', { paymentId }),
    executionArn: `arn:aws:states:eu-west-1:000000000000:execution:saga:${paymentId}`,
    charge: { chargeId: `ch_${paymentId}`, status: 'succeeded', created: '2026-11-22T10:00:00.000Z' },
    settle: { captured: 1250, released: 0, postedAt: '2026-11-22T10:00:01.000Z' },
  };
}

const sent = () =>
  sqs.commandCalls(SendMessageCommand).map(({ args: [command] }) => ({
    body: JSON.parse(command.input.MessageBody ?? '{}') as { notificationId?: string },
    attribute: command.input.MessageAttributes?.notificationId?.StringValue,
  }));

describe('notify: each notification carries a deterministic id', () => {
  it('a replayed notify (record never saved) sends the same notificationId, in the body and as an attribute', async () => {
    // Prepare
    const paymentId = `pay_${randomUUID().slice(0, 12)}`;

    // Act
    await handler(notifyInput(paymentId), context('first'));
    await handler(notifyInput(paymentId), context('replay'));

    // Assess
    const [first, replay] = sent();
    expect(sent()).toHaveLength(2);
    expect(first?.body.notificationId).toMatch(/^ntf_[0-9a-f]{32}$/);
    expect(replay?.body.notificationId).toBe(first?.body.notificationId);
    expect(first?.attribute).toBe(first?.body.notificationId);
    expect(replay?.attribute).toBe(first?.body.notificationId);
  });

  it('another payment gets another id', async () => {
    // Prepare
    const [a, b] = [`pay_${randomUUID().slice(0, 12)}`, `pay_${randomUUID().slice(0, 12)}`];

    // Act
    await handler(notifyInput(a), context('a'));
    await handler(notifyInput(b), context('b'));

    // Assess
    const [first, second] = sent();
    expect(first?.body.notificationId).toBeDefined();
    expect(second?.body.notificationId).not.toBe(first?.body.notificationId);
  });
});
