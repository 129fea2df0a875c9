import { RefundId } from '../../events/refunds.v1';
import type { ApiClient } from '../frontdoor/clients';
import type { AmountView, PaymentRefundSummary } from '../frontdoor/contract';
import { type HttpResponse, json, problem } from '../frontdoor/http';
import type { PaymentRecord } from '../payments/records';
import type { PaymentRefundStore } from '../payments/refund-store';
import type { RefundStatusResponse } from './contract';
import { type OwnedPaymentDeps, ownedPayment, paymentNotFound } from './owned-payment';
import type { RefundRecord } from './record';
import { refundableAmount } from './request';

/**
 * Refunds as a payment's owner reads them: GET /v1/payments/{paymentId}/refunds/{refundId},
 * and the refund fields of GET /v1/payments/{paymentId}. No execution ARNs.
 */

export interface RefundStatusDeps extends OwnedPaymentDeps {
  readonly refunds: Pick<PaymentRefundStore, 'get'>;
}

const refundNotFound = (): HttpResponse =>
  problem(404, 'refund_not_found', 'Refund not found', 'no refund with this id of this payment');

const amountOf = (record: RefundRecord, value: number): AmountView => ({
  value,
  currency: record.currency,
  exponent: record.exponent,
});

/** The reserved amount, or the amount asked for until Reserve ran (none when "everything" was asked). */
function refundAmount(record: RefundRecord): AmountView | undefined {
  const value = record.amount ?? record.requestedAmount;
  return value === undefined ? undefined : amountOf(record, value);
}

export function refundView(record: RefundRecord): RefundStatusResponse {
  const amount = refundAmount(record);
  const failed = record.status === 'FAILED' || record.status === 'NEEDS_ATTENTION';
  const hasParts = record.walletAmount !== undefined && record.gatewayAmount !== undefined;
  return {
    refundId: record.refundId,
    paymentId: record.paymentId,
    status: record.status,
    ...(amount && { amount }),
    ...(hasParts && {
      parts: { walletAmount: record.walletAmount ?? 0, gatewayAmount: record.gatewayAmount ?? 0 },
    }),
    reason: record.reason,
    requestedAt: record.requestedAt,
    updatedAt: record.updatedAt,
    ...(record.terminalAt && { completedAt: record.terminalAt }),
    ...(failed && {
      failure: {
        reasonCode: record.reasonCode ?? 'unknown',
        ...(record.failureReason && { reason: record.failureReason }),
        ...(record.failedState && { step: record.failedState }),
      },
    }),
    ...(record.gatewayRefundId && { gatewayRefundId: record.gatewayRefundId }),
  };
}

export interface PaymentRefundsView {
  readonly refunds: PaymentRefundSummary[];
  readonly refundable: AmountView;
  readonly refunded: AmountView;
}

/** A payment's refunds, what is still refundable and what was refunded, for GET /v1/payments/{paymentId}. */
export function paymentRefundsView(
  payment: PaymentRecord,
  refunds: readonly RefundRecord[],
): PaymentRefundsView {
  const money = (value: number): AmountView => ({
    value,
    currency: payment.currency,
    exponent: payment.exponent,
  });
  return {
    refunds: refunds.map((record) => {
      const amount = refundAmount(record);
      return { refundId: record.refundId, status: record.status, ...(amount && { amount }) };
    }),
    refundable: refundableAmount(payment),
    refunded: money(payment.refunded ?? 0),
  };
}

/** GET /v1/payments/{paymentId}/refunds/{refundId}: refunds of the caller's own payments only. */
export async function getRefundStatus(
  deps: RefundStatusDeps,
  client: ApiClient,
  paymentId: string,
  refundId: string,
): Promise<HttpResponse> {
  const owned = await ownedPayment(deps, client.clientId, paymentId);
  if (!owned) return paymentNotFound();
  if (owned.kind === 'rejected' || !RefundId.safeParse(refundId).success) return refundNotFound();
  const record = await deps.refunds.get(paymentId, refundId);
  return record ? json(200, refundView(record)) : refundNotFound();
}
