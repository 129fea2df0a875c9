import { describe, expect, it } from 'vitest';
import { PaymentStatusResponse, type Problem } from '../../core/frontdoor/contract';
import { paymentStatusView } from '../../core/frontdoor/payment-status';
import { RefundStatusResponse } from '../../core/refunds/contract';
import type { RefundRecord } from '../../core/refunds/record';
import { getRefundStatus } from '../../core/refunds/view';
import { acme, eur, fakes, globex, newId, now, refund, submittedPayment } from '../helpers/refund-fakes';

describe('getRefundStatus', () => {
  it('shows the caller its refund (amount, parts, reason, gateway refund id) and anyone else a 404', async () => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const { paymentId } = seed(submittedPayment());
    const refundId = newId('ref');
    await refund(deps, acme, paymentId, refundId, { amount: eur(900), reason: 'damaged' });
    const key = `${paymentId}/${refundId}`;
    const requested = refunds.get(key) as RefundRecord;
    refunds.set(key, {
      ...requested,
      status: 'SUCCEEDED',
      amount: 900,
      walletAmount: 150,
      gatewayAmount: 750,
      gatewayRefundId: 're_123',
      terminalAt: '2026-12-05T10:00:05.000Z',
    });

    // Act
    const own = await getRefundStatus(deps, acme, paymentId, refundId);
    const other = await getRefundStatus(deps, globex, paymentId, refundId);
    const unknown = await getRefundStatus(deps, acme, paymentId, newId('ref'));

    // Assess
    expect(own.statusCode).toBe(200);
    const view = RefundStatusResponse.parse(JSON.parse(own.body));
    expect(view).toEqual({
      refundId,
      paymentId,
      status: 'SUCCEEDED',
      amount: eur(900),
      parts: { walletAmount: 150, gatewayAmount: 750 },
      reason: 'damaged',
      requestedAt: now.toISOString(),
      updatedAt: now.toISOString(),
      completedAt: '2026-12-05T10:00:05.000Z',
      gatewayRefundId: 're_123',
    });
    expect(own.body).not.toContain('arn:');
    expect(other.statusCode).toBe(404);
    expect((JSON.parse(other.body) as Problem).type).toContain('payment_not_found');
    expect(unknown.statusCode).toBe(404);
  });
});

describe('paymentStatusView with refunds', () => {
  it('lists the refunds and says what is refundable and refunded', () => {
    // Prepare
    const { request, record } = submittedPayment({
      refundCommitted: 1000,
      refundCommittedGateway: 750,
      refundCommittedWallet: 250,
      refunded: 750,
    });
    const refundRecord = (
      refundId: string,
      status: RefundRecord['status'],
      amount?: number,
    ): RefundRecord => ({
      refundId,
      paymentId: record.paymentId,
      status,
      ...(amount !== undefined && { amount }),
      currency: 'EUR',
      exponent: 2,
      reason: 'r',
      requestHash: 'h',
      requestedAt: now.toISOString(),
      executionArn: 'arn',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });

    // Act
    const view = paymentStatusView(
      request,
      record,
      [],
      [
        refundRecord('ref_a', 'SUCCEEDED', 750),
        refundRecord('ref_b', 'RESERVED', 250),
        refundRecord('ref_c', 'REQUESTED'),
      ],
    );

    // Assess
    expect(PaymentStatusResponse.parse(view)).toEqual(view);
    expect(view.refunds).toEqual([
      { refundId: 'ref_a', status: 'SUCCEEDED', amount: eur(750) },
      { refundId: 'ref_b', status: 'RESERVED', amount: eur(250) },
      { refundId: 'ref_c', status: 'REQUESTED' },
    ]);
    expect(view.refundable).toEqual(eur(250));
    expect(view.refunded).toEqual(eur(750));
  });
});
