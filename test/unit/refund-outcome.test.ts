import { describe, expect, it } from 'vitest';
import { buildRefundOutcome } from '../../core/refunds/outcome';
import type { RefundRecordOutcomeInput } from '../../core/refunds/state';
import { PaymentNeedsAttentionV1 } from '../../events/outcomes.v1';
import { RefundFailedV1, RefundSucceededV1 } from '../../events/refunds.v1';

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
