import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentRequested } from '../../events/payment-requested.v1';
import { type SagaHarness, startSagaHarness } from '../helpers/saga-harness';

let h: SagaHarness;

beforeAll(async () => {
  h = await startSagaHarness();
});

afterAll(async () => {
  await h?.stop();
});

function record(detail: unknown, detailType = 'PaymentRequested'): SQSRecord {
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
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${h.names.queues.intake}`,
    awsRegion: 'us-east-1',
  };
}

const intake = async (records: SQSRecord[]) =>
  (await h.invoke('intake', { Records: records } satisfies SQSEvent)) as SQSBatchResponse;
const intakeDlq = () => `https://sqs.us-east-1.amazonaws.com/000000000000/${h.names.queues.intakeDlq}`;
const rejectionsFor = (paymentId: string) =>
  h.eventsFor(paymentId).filter((e) => e.detailType === 'PaymentRejected');

async function fundedPayment(): Promise<PaymentRequested> {
  // Wallet first: 10.00 in the wallet for a 12.50 payment, so the gateway is charged the 2.50 card part.
  return h.payment({ walletId: await h.openWallet('EUR', 1000) });
}

describe('Function: intake (SQS batch of PaymentRequested -> saga)', () => {
  it('never starts a payment from a redriven card-data rejection, whose stored copy is masked', async () => {
    // Prepare: what the intake DLQ holds for a refused request, redriven back to intake
    const payment = await fundedPayment();
    const redriven = record({ ...payment, description: 'card [REDACTED PAN]' });
    redriven.messageAttributes = {
      reasonCode: {
        stringValue: 'card_data_refused',
        dataType: 'String',
        stringListValues: [],
        binaryListValues: [],
      },
    };
    // Act
    const response = await intake([redriven]);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(h.startedSagas.has(payment.paymentId)).toBe(false);
    expect(h.messagesTo(intakeDlq()).at(-1)?.attributes?.reasonCode?.StringValue).toBe('card_data_refused');
  });

  it('starts one saga per valid request, named by its paymentId', async () => {
    // Prepare
    const payment = await fundedPayment();
    // Act
    const response = await intake([record(payment)]);
    const run = await h.startedSagas.get(payment.paymentId);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(run?.status).toBe('SUCCEEDED');
    expect(h.gateway.sandbox.chargesFor(payment.paymentId)).toHaveLength(1);
  });

  it('a duplicate PaymentRequested starts no second saga, while running or after it finished', async () => {
    // Prepare
    const payment = await fundedPayment();
    // Act
    const first = await intake([record(payment), record(payment)]);
    await h.startedSagas.get(payment.paymentId);
    const later = await intake([record({ ...payment })]);
    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(later.batchItemFailures).toEqual([]);
    expect(h.gateway.sandbox.chargesFor(payment.paymentId)).toHaveLength(1);
    expect(rejectionsFor(payment.paymentId)).toEqual([]);
  });

  it('the same paymentId with a different payload is rejected with a reason', async () => {
    // Prepare
    const payment = await fundedPayment();
    await intake([record(payment)]);
    await h.startedSagas.get(payment.paymentId);
    // Act
    const response = await intake([
      record({ ...payment, amount: { value: 9999, currency: 'EUR', exponent: 2 } }),
    ]);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(rejectionsFor(payment.paymentId)).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ reasonCode: 'conflicting_duplicate' }) }),
    ]);
    expect(h.gateway.sandbox.chargesFor(payment.paymentId)).toHaveLength(1);
  });

  // The test card's digits with any separators (not '4111' alone: a random eventId or chargeId may hold it).
  const TEST_PAN = /4111\D{0,3}1111\D{0,3}1111\D{0,3}1111/;

  it('rejects a malformed event and one with a card number into the intake DLQ, and the rest of the batch proceeds', async () => {
    // Prepare
    const good = await fundedPayment();
    const malformed = { ...(await fundedPayment()), amount: { value: -5, currency: 'EUR', exponent: 2 } };
    const withPan = { ...(await fundedPayment()), description: 'card 4111 1111 1111 1111 exp 12/29' };
    // Act
    const response = await intake([
      record(malformed),
      record(withPan),
      record(good),
      record('not an object'),
    ]);
    const run = await h.startedSagas.get(good.paymentId);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(run?.status).toBe('SUCCEEDED');
    const [malformedDlq] = h.messagesTo(intakeDlq(), malformed.paymentId);
    expect(malformedDlq?.attributes?.reasonCode?.StringValue).toBe('invalid_event');
    expect(malformedDlq?.attributes?.reason?.StringValue).toMatch(/amount.value must be greater than zero/);
    const [panDlq] = h.messagesTo(intakeDlq(), withPan.paymentId);
    expect(panDlq?.attributes?.reasonCode?.StringValue).toBe('card_data_refused');
    expect(panDlq?.body).not.toMatch(TEST_PAN);
    expect(panDlq?.body).toContain('[REDACTED PAN]');
    expect(rejectionsFor(malformed.paymentId)[0]?.detail).toMatchObject({ reasonCode: 'invalid_event' });
    expect(rejectionsFor(withPan.paymentId)[0]?.detail).toMatchObject({ reasonCode: 'card_data_refused' });
    expect(JSON.stringify(h.publishedEvents)).not.toMatch(TEST_PAN);
    expect(h.gateway.sandbox.chargesFor(malformed.paymentId)).toHaveLength(0);
    expect(h.startedSagas.has(withPan.paymentId)).toBe(false);
  });
});
