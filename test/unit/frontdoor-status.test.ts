import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../core/canonical-json';
import { SAGA_STATES } from '../../core/config/names';
import type { ApiRequestRecord } from '../../core/frontdoor/api-request-store';
import { PaymentStatusResponse } from '../../core/frontdoor/contract';
import { paymentStatusView } from '../../core/frontdoor/payment-status';
import { requestHash } from '../../core/payments/payment-log';
import type { PaymentRecord, StepItem } from '../../core/payments/records';
import type { PaymentRequested } from '../../events/payment-requested.v1';

const payment: PaymentRequested = {
  schemaVersion: '1',
  paymentId: 'pay_1',
  walletId: 'wal_1',
  merchantId: 'mer_1',
  amount: { value: 1250, currency: 'EUR', exponent: 2 },
  paymentMethod: 'pm_card_visa',
  requestedAt: '2026-11-22T10:00:00.000Z',
};
const request: ApiRequestRecord = {
  paymentId: 'pay_1',
  clientId: 'acme',
  source: 'partner.acme',
  clientHash: 'h',
  detail: canonicalJson(payment),
  acceptedAt: '2026-11-22T10:00:00.100Z',
  publishedAt: '2026-11-22T10:00:00.120Z',
};
const record: PaymentRecord = {
  paymentId: 'pay_1',
  status: 'FAILED',
  walletId: 'wal_1',
  merchantId: 'mer_1',
  amount: 1250,
  currency: 'EUR',
  exponent: 2,
  requestedAt: payment.requestedAt,
  requestHash: requestHash(payment),
  executionArn: 'arn:aws:states:us-east-1:000000000000:execution:paysaga-local-payment-saga:pay_1',
  createdAt: '2026-11-22T10:00:01.000Z',
  updatedAt: '2026-11-22T10:00:03.000Z',
  terminalAt: '2026-11-22T10:00:03.000Z',
  holdId: 'hold_123',
  chargeId: 'ch_123',
  reasonCode: 'card_declined',
  reason: 'the card was declined',
  failedState: SAGA_STATES.charge,
  compensations: [SAGA_STATES.releaseFunds],
};
const steps: StepItem[] = [
  {
    paymentId: 'pay_1',
    step: 'charge',
    outcome: 'failed',
    at: '2026-11-22T10:00:02.000Z',
    detail: { durationMs: 40, error: 'CardDeclinedError', message: 'internal: ch_123 declined' },
  },
  {
    paymentId: 'pay_1',
    step: 'reserve',
    outcome: 'succeeded',
    at: '2026-11-22T10:00:01.500Z',
    detail: { durationMs: 12 },
  },
  { paymentId: 'pay_1', step: 'recordOutcome', outcome: 'succeeded', at: '2026-11-22T10:00:03.000Z' },
];

describe('paymentStatusView', () => {
  it('shows status, failure, compensations and state-named steps in time order, and nothing internal', () => {
    // Act
    const view = paymentStatusView(request, record, steps);

    // Assess
    expect(PaymentStatusResponse.parse(view)).toEqual(view);
    expect(view).toMatchObject({
      status: 'FAILED',
      failure: { reasonCode: 'card_declined', step: SAGA_STATES.charge },
      compensations: [SAGA_STATES.releaseFunds],
      completedAt: record.terminalAt,
    });
    expect(view.steps).toEqual([
      { step: SAGA_STATES.reserve, outcome: 'succeeded', at: '2026-11-22T10:00:01.500Z', durationMs: 12 },
      {
        step: SAGA_STATES.charge,
        outcome: 'failed',
        at: '2026-11-22T10:00:02.000Z',
        durationMs: 40,
        error: 'CardDeclinedError',
      },
    ]);
    expect(JSON.stringify(view)).not.toMatch(/arn:|hold_123|ch_123|internal/);
  });

  it('is ACCEPTED before the saga has written the payment', () => {
    // Act
    const view = paymentStatusView(request, undefined, []);

    // Assess
    expect(view).toMatchObject({ status: 'ACCEPTED', updatedAt: request.publishedAt, steps: [] });
  });

  it.each([
    ['succeeded', 'SUCCEEDED', undefined],
    ['failed', 'FAILED', 'card_declined'],
  ] as const)(
    'tells what a resolved payment ended as (%s), as its webhook did',
    (outcome, status, reasonCode) => {
      // Prepare: an operator resolved the payment parked in the compensation DLQ (payctl payments resolve)
      const resolution = {
        action: 'mark_resolved',
        by: 'ops:alice',
        at: '2026-11-23T09:00:00.000Z',
        outcome,
      } as const;
      const parked = { ...record, status: 'NEEDS_ATTENTION', resolution } as const;

      // Act
      const view = PaymentStatusResponse.parse(paymentStatusView(request, parked, steps));

      // Assess
      expect(view.status).toBe(status);
      expect(view.resolution).toEqual({ action: 'mark_resolved', outcome, resolvedAt: resolution.at });
      expect(view.completedAt).toBe(resolution.at);
      expect(view.failure?.reasonCode).toBe(reasonCode);
    },
  );

  it('counts a resolution without an outcome (older records) as failed', () => {
    // Prepare
    const resolution = { action: 'refund', by: 'ops:bob', at: '2026-11-23T09:00:00.000Z' } as const;

    // Act
    const view = paymentStatusView(request, { ...record, status: 'NEEDS_ATTENTION', resolution }, steps);

    // Assess
    expect(view).toMatchObject({ status: 'FAILED', resolution: { action: 'refund', outcome: 'failed' } });
  });

  it("shows REJECTED, and none of the other payment, when the saga under the id is someone else's", () => {
    // Act
    const view = paymentStatusView(request, { ...record, requestHash: 'other', status: 'SUCCEEDED' }, steps);

    // Assess
    expect(view.status).toBe('REJECTED');
    expect(view.failure?.reasonCode).toBe('conflicting_duplicate');
    expect(view.steps).toEqual([]);
  });
});
