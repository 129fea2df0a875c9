import { describe, expect, it } from 'vitest';
import type { PaymentRefundStore } from '../../core/payments/refund-store';
import { buildRefundOutcome, recordRefundOutcome } from '../../core/refunds/outcome';
import type { RefundRecord, RefundStatus } from '../../core/refunds/record';
import type { RefundRecordOutcomeInput } from '../../core/refunds/state';
import {
  MerchantNotification,
  notificationId,
  refundOutcomeNotification,
} from '../../core/saga/notification';
import { webhookBody } from '../../core/webhooks/event';
import { PaymentNeedsAttentionV1 } from '../../events/outcomes.v1';
import { RefundFailedV1, RefundSucceededV1 } from '../../events/refunds.v1';
import { notificationRecorder } from '../helpers/notifications';

const destinations = { eventBusName: 'bus', compensationDlqName: 'paysaga-test-compensation-dlq' };
const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:paysaga-test-refund-saga:ref-1';
const refund = {
  schemaVersion: '1' as const,
  refundId: 'ref-1',
  paymentId: 'pay-1',
  reason: 'returned',
  requestedAt: '2026-12-04T10:00:00.000Z',
};
const reserve = {
  amount: 1500,
  currency: 'EUR',
  exponent: 2,
  walletAmount: 500,
  gatewayAmount: 1000,
  walletId: 'wal-1',
  merchantId: 'mer-1',
  chargeId: 'pi_1',
  replayed: false,
};
const detailOf = (outcome: { entries: Array<{ Detail?: string }> }) =>
  JSON.parse(outcome.entries[0]?.Detail ?? '{}') as unknown;

describe('Function: buildRefundOutcome', () => {
  it('a refund that went through: RefundSucceeded with each part, for the bus', () => {
    // Prepare
    const input: RefundRecordOutcomeInput = {
      outcome: 'succeeded',
      executionArn,
      saga: { refund, reserve, gatewayRefund: { status: 'succeeded', gatewayRefundId: 're_1' } },
    };
    // Act
    const outcome = buildRefundOutcome(input, destinations, '2026-12-04T10:00:01.000Z');
    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.entries[0]?.DetailType).toBe('RefundSucceeded');
    expect(RefundSucceededV1.parse(detailOf(outcome))).toMatchObject({
      walletAmount: 500,
      gatewayAmount: 1000,
      gatewayRefundId: 're_1',
      amount: { value: 1500, currency: 'EUR', exponent: 2 },
    });
  });

  it('refused at Reserve before anything was reserved: RefundFailed with the reason, no amount when all was asked', () => {
    // Prepare
    const input: RefundRecordOutcomeInput = {
      outcome: 'failed',
      executionArn,
      saga: {
        refund,
        error: {
          Error: 'PaymentNotRefundableError',
          Cause: JSON.stringify({ errorMessage: 'payment pay-1 is FAILED (reason: payment_not_refundable)' }),
        },
      },
    };
    // Act
    const outcome = buildRefundOutcome(input, destinations, '2026-12-04T10:00:01.000Z');
    // Assess
    expect(outcome).toMatchObject({ status: 'FAILED', failedState: 'ReserveRefund' });
    expect(RefundFailedV1.parse(detailOf(outcome))).toEqual(
      expect.objectContaining({ reasonCode: 'payment_not_refundable', reason: 'payment pay-1 is FAILED' }),
    );
    expect(detailOf(outcome)).not.toHaveProperty('amount');
  });

  it('the ledger failed after the gateway refunded: PaymentNeedsAttention naming PostReversal and the DLQ', () => {
    // Prepare
    const input: RefundRecordOutcomeInput = {
      outcome: 'needs_attention',
      executionArn,
      saga: {
        refund,
        reserve,
        gatewayRefund: { status: 'succeeded', gatewayRefundId: 're_1' },
        error: { Error: 'LedgerInvariantError', Cause: 'wallet gone (reason: ledger_invariant)' },
      },
    };
    // Act
    const outcome = buildRefundOutcome(input, destinations, '2026-12-04T10:00:01.000Z');
    // Assess
    expect(outcome).toMatchObject({ status: 'NEEDS_ATTENTION', failedState: 'PostReversal' });
    expect(PaymentNeedsAttentionV1.parse(detailOf(outcome))).toMatchObject({
      failedCompensation: 'PostReversal',
      deadLetterQueue: 'paysaga-test-compensation-dlq',
      error: 'LedgerInvariantError',
    });
  });
});

const succeededInput = (refundId = 'ref-1'): RefundRecordOutcomeInput => ({
  outcome: 'succeeded',
  executionArn,
  saga: {
    refund: { ...refund, refundId },
    reserve,
    gatewayRefund: { status: 'succeeded', gatewayRefundId: 're_1' },
  },
});
const declinedInput = (refundId = 'ref-1'): RefundRecordOutcomeInput => ({
  outcome: 'failed',
  executionArn,
  saga: {
    refund: { ...refund, refundId },
    reserve,
    release: { released: 1500 },
    error: { Error: 'CardDeclinedError', Cause: 'the card refused the refund (reason: card_declined)' },
  },
});

describe('Function: refundOutcomeNotification', () => {
  it('refund.succeeded: the refund, its parts and status, with an id derived from the refund alone', () => {
    // Prepare
    const input = succeededInput();
    const outcome = buildRefundOutcome(input, destinations, '2026-12-04T10:00:01.000Z');
    // Act
    const notification = refundOutcomeNotification(input, outcome, '2026-12-04T10:00:01.000Z');
    // Assess
    expect(MerchantNotification.parse(notification)).toEqual(notification);
    expect(notification).toMatchObject({
      notificationId: notificationId('refund.succeeded', 'ref-1'),
      kind: 'refund.succeeded',
      refundId: 'ref-1',
      paymentId: 'pay-1',
      merchantId: 'mer-1',
      status: 'succeeded',
      amount: { value: 1500, currency: 'EUR', exponent: 2 },
      walletAmount: 500,
      gatewayAmount: 1000,
      occurredAt: '2026-12-04T10:00:01.000Z',
    });
    expect(notification).not.toHaveProperty('reason');
    const body = JSON.parse(webhookBody(notification as MerchantNotification)) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'refund.succeeded',
      data: { refundId: 'ref-1', status: 'succeeded' },
    });
    expect(JSON.stringify(body)).not.toContain('executionArn');
  });

  it('refund.failed: the reason code and what happened; no amount when everything was asked and refused', () => {
    // Prepare
    const input: RefundRecordOutcomeInput = {
      outcome: 'failed',
      executionArn,
      saga: {
        refund,
        error: {
          Error: 'PaymentNotRefundableError',
          Cause: JSON.stringify({ errorMessage: 'payment pay-1 is FAILED (reason: payment_not_refundable)' }),
        },
      },
    };
    const outcome = buildRefundOutcome(input, destinations, '2026-12-04T10:00:01.000Z');
    // Act
    const notification = refundOutcomeNotification(input, outcome, '2026-12-04T10:00:01.000Z');
    // Assess
    expect(MerchantNotification.parse(notification)).toEqual(notification);
    expect(notification).toMatchObject({
      notificationId: notificationId('refund.failed', 'ref-1'),
      kind: 'refund.failed',
      status: 'failed',
      reasonCode: 'payment_not_refundable',
      reason: 'payment pay-1 is FAILED',
    });
    expect(notification).not.toHaveProperty('amount');
    expect(notification).not.toHaveProperty('walletAmount');
  });

  it('queues nothing for a refund that needs attention (the gateway refunded, the ledger did not)', () => {
    // Prepare
    const input: RefundRecordOutcomeInput = {
      outcome: 'needs_attention',
      executionArn,
      saga: {
        refund,
        reserve,
        gatewayRefund: { status: 'succeeded', gatewayRefundId: 're_1' },
        error: { Error: 'LedgerInvariantError', Cause: 'wallet gone (reason: ledger_invariant)' },
      },
    };
    const outcome = buildRefundOutcome(input, destinations, '2026-12-04T10:00:01.000Z');
    // Act
    const notification = refundOutcomeNotification(input, outcome, '2026-12-04T10:00:01.000Z');
    // Assess
    expect(outcome.status).toBe('NEEDS_ATTENTION');
    expect(notification).toBeUndefined();
  });
});

/** The refund records RecordOutcome moves, in memory, each stamped with its terminal time when it moves. */
function refundRecords(initial: RefundStatus) {
  const records = new Map<string, RefundRecord>();
  let clock = Date.parse('2026-12-04T10:00:05.000Z');
  const store: Pick<PaymentRefundStore, 'advance' | 'get'> = {
    async advance(paymentId, refundId, status, facts = {}) {
      const key = `${paymentId}/${refundId}`;
      const current = records.get(key);
      // As the store: a refund moves to a final status once, from REQUESTED or RESERVED only.
      if (!current || !['REQUESTED', 'RESERVED'].includes(current.status)) return false;
      clock += 1000;
      records.set(key, { ...current, ...facts, status, terminalAt: new Date(clock).toISOString() });
      return true;
    },
    async get(paymentId, refundId) {
      return records.get(`${paymentId}/${refundId}`);
    },
  };
  const open = (refundId: string) =>
    records.set(`pay-1/${refundId}`, {
      refundId,
      paymentId: 'pay-1',
      status: initial,
      currency: 'EUR',
      exponent: 2,
      reason: 'returned',
      requestHash: 'h',
      requestedAt: refund.requestedAt,
      executionArn,
      createdAt: refund.requestedAt,
      updatedAt: refund.requestedAt,
    });
  return { store, open };
}

describe('Function: recordRefundOutcome', () => {
  it('queues refund.succeeded once recorded, and the same notification again on a retried step', async () => {
    // Prepare
    const { store, open } = refundRecords('RESERVED');
    open('ref-retry');
    const notifications = notificationRecorder();
    const input = succeededInput('ref-retry');
    // Act
    await recordRefundOutcome(
      store,
      input,
      destinations,
      new Date('2026-12-04T11:00:00Z'),
      notifications.queue,
    );
    await recordRefundOutcome(
      store,
      input,
      destinations,
      new Date('2026-12-04T12:00:00Z'),
      notifications.queue,
    );
    // Assess
    const [first, second, ...more] = notifications.sent;
    expect(more).toEqual([]);
    expect(first).toMatchObject({ kind: 'refund.succeeded', refundId: 'ref-retry', walletAmount: 500 });
    expect(second).toEqual(first);
    expect(first?.occurredAt).toBe((await store.get('pay-1', 'ref-retry'))?.terminalAt);
  });

  it('queues refund.failed with the reason for a refund the gateway refused', async () => {
    // Prepare
    const { store, open } = refundRecords('RESERVED');
    open('ref-declined');
    const notifications = notificationRecorder();
    // Act
    const outcome = await recordRefundOutcome(
      store,
      declinedInput('ref-declined'),
      destinations,
      new Date(),
      notifications.queue,
    );
    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(notifications.sent).toEqual([
      expect.objectContaining({
        notificationId: notificationId('refund.failed', 'ref-declined'),
        kind: 'refund.failed',
        status: 'failed',
        reasonCode: 'card_declined',
        reason: 'the card refused the refund',
        amount: { value: 1500, currency: 'EUR', exponent: 2 },
      }),
    ]);
  });

  it('queues nothing when the outcome contradicts the record, nor for a refund that needs attention', async () => {
    // Prepare: a record already FAILED cannot become SUCCEEDED; another RESERVED one needs attention
    const failed = refundRecords('FAILED');
    failed.open('ref-contradicted');
    const reserved = refundRecords('RESERVED');
    reserved.open('ref-attention');
    const notifications = notificationRecorder();
    const attention: RefundRecordOutcomeInput = {
      outcome: 'needs_attention',
      executionArn,
      saga: {
        refund: { ...refund, refundId: 'ref-attention' },
        reserve,
        gatewayRefund: { status: 'succeeded' },
        error: { Error: 'LedgerInvariantError', Cause: 'wallet gone (reason: ledger_invariant)' },
      },
    };
    // Act
    const contradicted = recordRefundOutcome(
      failed.store,
      succeededInput('ref-contradicted'),
      destinations,
      new Date(),
      notifications.queue,
    );
    const parked = await recordRefundOutcome(
      reserved.store,
      attention,
      destinations,
      new Date(),
      notifications.queue,
    );
    // Assess
    await expect(contradicted).rejects.toMatchObject({ name: 'RefundStatusConflictError' });
    expect(parked.status).toBe('NEEDS_ATTENTION');
    expect(notifications.sent).toEqual([]);
  });
});
