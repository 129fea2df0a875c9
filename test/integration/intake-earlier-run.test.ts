import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '../../core/aws/dynamodb';
import { ENV_KEYS } from '../../core/config/env';
import { executionArnFor } from '../../core/config/executions';
import { API_REQUEST_SK } from '../../core/frontdoor/api-request-store';
import { PaymentRunLookup } from '../../core/payments/archive';
import { paymentKey } from '../../core/payments/keys';
import { PaymentsRepository } from '../../core/payments/repository';
import type { PaymentRequested } from '../../events/payment-requested.v1';
import { intakeRecord } from '../helpers/intake-records';
import { type SagaHarness, startSagaHarness } from '../helpers/saga-harness';

let h: SagaHarness;

beforeAll(async () => {
  // webhook-deliver reads its key id when the harness imports every handler (never invoked here).
  process.env[ENV_KEYS.webhookKeyId] ??= 'alias/paysaga-test-webhooks';
  h = await startSagaHarness();
});

afterAll(async () => {
  await h?.stop();
});

const intake = async (detail: PaymentRequested) =>
  (await h.invoke('intake', {
    Records: [intakeRecord(detail, h.names.queues.intake)],
  } satisfies SQSEvent)) as SQSBatchResponse;

/** The pointer HistoryArchive.put leaves in the payments table; it has no TTL and outlives the record. */
async function putArchivePointer(paymentId: string): Promise<void> {
  await h.dynamo.doc.send(
    new PutCommand({
      TableName: h.dynamo.tables.payments,
      Item: {
        pk: paymentKey(paymentId).pk,
        sk: `ARCHIVE#${paymentId}#0000`,
        kind: 'archive-pointer',
        paymentId,
        archiveId: `${paymentId}#0000`,
        archivedAt: '2026-01-02T00:00:00.000Z',
        contentHash: 'a'.repeat(64),
        bucket: 'paysaga-history',
        objectKey: `history/2026-01-01/${paymentId}/run-0000.json`,
      },
    }),
  );
}

describe('Function: intake, a paymentId that ran before and that Step Functions has forgotten', () => {
  it('starts nothing when only the archive pointer is left (payment record expired)', async () => {
    // Prepare: the payment ran, was archived, its record expired; its execution is unknown to Step Functions
    const payment = h.payment({ walletId: await h.openWallet('EUR', 5000) });
    await putArchivePointer(payment.paymentId);
    // Act: the same PaymentRequested replayed
    const response = await intake(payment);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(h.startedSagas.has(payment.paymentId)).toBe(false);
    expect(h.eventsFor(payment.paymentId).filter((e) => e.detailType === 'PaymentRejected')).toEqual([]);
  });

  it('starts nothing when the payment record is kept (e.g. needs attention) past the execution', async () => {
    // Prepare
    const payment = h.payment({ walletId: await h.openWallet('EUR', 5000) });
    const arn = executionArnFor(
      `arn:aws:states:us-east-1:000000000000:stateMachine:${h.names.stateMachine}`,
      payment.paymentId,
    );
    await new PaymentsRepository(h.dynamo.doc, h.dynamo.tables.payments).recordRequest(payment, arn);
    // Act
    const response = await intake(payment);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(h.startedSagas.has(payment.paymentId)).toBe(false);
  });

  it('still starts a paymentId that never ran', async () => {
    // Prepare
    const payment = h.payment({ walletId: await h.openWallet('EUR', 5000) });
    // Act
    const response = await intake(payment);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(h.startedSagas.has(payment.paymentId)).toBe(true);
    expect((await h.startedSagas.get(payment.paymentId))?.status).toBe('SUCCEEDED');
  });
});

describe('Class: PaymentRunLookup', () => {
  describe("Method: everRan (the front door's paymentExists and intake's duplicate check)", () => {
    it("is true for a pointer alone, true for a record, false for the front door's own request item or any other item of the payment, in one request", async () => {
      // Prepare
      let requests = 0;
      const doc = h.dynamo.doc;
      const counting = {
        send: ((command) => {
          requests++;
          return doc.send(command);
        }) as typeof doc.send,
      };
      const lookup = new PaymentRunLookup(counting, h.dynamo.tables.payments);
      const archived = h.payment();
      const recorded = h.payment();
      const submitted = h.payment();
      const others = h.payment();
      await putArchivePointer(archived.paymentId);
      await new PaymentsRepository(h.dynamo.doc, h.dynamo.tables.payments).recordRequest(
        recorded,
        `arn:aws:states:us-east-1:000000000000:execution:${h.names.stateMachine}:${recorded.paymentId}`,
      );
      const putItem = (paymentId: string, sk: string) =>
        h.dynamo.doc.send(
          new PutCommand({ TableName: h.dynamo.tables.payments, Item: { pk: paymentKey(paymentId).pk, sk } }),
        );
      await putItem(submitted.paymentId, API_REQUEST_SK);
      // Items of a payment that never ran, on both sides of and between ARCHIVE# and PAYMENT.
      for (const sk of [
        API_REQUEST_SK,
        'ARCHIVE',
        'B',
        'NOTE#1',
        'PAYMENT#',
        'PAYMENTS',
        'REFUND#r1',
        'STEP#TIMELINE',
      ])
        await putItem(others.paymentId, sk);
      // Act
      const answers = await Promise.all(
        [archived, recorded, submitted, others].map((p) => lookup.everRan(p.paymentId)),
      );
      // Assess
      expect(answers).toEqual([true, true, false, false]);
      expect(requests).toBe(4);
    });
  });
});
