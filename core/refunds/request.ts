import { type RefundRequested, RefundRequestedV1 } from '../../events/refunds.v1';
import { canonicalJson } from '../canonical-json';
import type { PaymentRecord } from '../payments/records';
import type { PaymentRefundStore } from '../payments/refund-store';
import type { RefundRecord } from './record';
import { refundRequestHash } from './request-hash';
import { paymentSplit, refundable } from './split';
import { committedOf, openRefund } from './steps';

/**
 * Asking for a refund, the one path of the front door, payctl and the console:
 * the request is checked against the payment (exists, SUCCEEDED, same
 * currency, within what is still refundable), recorded once under
 * (paymentId, refundId), and put on the bus as RefundRequested for the refund
 * intake, which starts the refund saga. The reservation in ReserveRefund stays
 * the guard against concurrent refunds: these checks only answer early.
 * A replay of a recorded request answers as the first time, whatever the
 * payment has become since, and publishes again while the saga has not begun.
 */

export interface RefundRequestDeps {
  readonly refunds: Pick<PaymentRefundStore, 'putRequest' | 'get'>;
  readonly payments: { get(paymentId: string): Promise<PaymentRecord | undefined> };
  /** Puts RefundRequested (canonical JSON detail) on the bus; throws when it could not. */
  readonly publish: (detail: string) => Promise<unknown>;
  /** The refund saga's execution ARN for (paymentId, refundId): core/config/executions.ts. */
  readonly executionArnOf: (paymentId: string, refundId: string) => string;
}

export interface RefundAmountView {
  readonly value: number;
  readonly currency: string;
  readonly exponent: number;
}

export type RefundRequestResult =
  | { readonly kind: 'accepted'; readonly record: RefundRecord; readonly replayed: boolean }
  | { readonly kind: 'payment_not_found' }
  | { readonly kind: 'invalid'; readonly path: string; readonly message: string }
  | { readonly kind: 'idempotency_conflict'; readonly refundId: string }
  | { readonly kind: 'not_refundable'; readonly status: string }
  | {
      readonly kind: 'exceeds_refundable';
      readonly requested?: RefundAmountView;
      readonly refundable: RefundAmountView;
    };

/** What is still refundable on a payment, as an amount of its currency (0 unless SUCCEEDED). */
export function refundableAmount(payment: PaymentRecord): RefundAmountView {
  const value =
    payment.status === 'SUCCEEDED' ? refundable(paymentSplit(payment), committedOf(payment)).total : 0;
  return { value, currency: payment.currency, exponent: payment.exponent };
}

/** The RefundRequested a recorded request stands for (its own requestedAt: a replay starts the same saga). */
export function refundRequestOf(record: RefundRecord): RefundRequested {
  return RefundRequestedV1.parse({
    schemaVersion: '1',
    refundId: record.refundId,
    paymentId: record.paymentId,
    ...(record.requestedAmount !== undefined && {
      amount: { value: record.requestedAmount, currency: record.currency, exponent: record.exponent },
    }),
    reason: record.reason,
    requestedAt: record.requestedAt,
  });
}

async function publishIfNotBegun(deps: RefundRequestDeps, record: RefundRecord): Promise<void> {
  if (record.status === 'REQUESTED') await deps.publish(canonicalJson(refundRequestOf(record)));
}

/** Why this payment cannot take this refund now, or undefined. */
function refusal(payment: PaymentRecord, refund: RefundRequested): RefundRequestResult | undefined {
  if (refund.amount && refund.amount.currency !== payment.currency) {
    return {
      kind: 'invalid',
      path: 'amount.currency',
      message: `must be the payment's currency (${payment.currency})`,
    };
  }
  if (refund.amount && refund.amount.exponent !== payment.exponent) {
    return {
      kind: 'invalid',
      path: 'amount.exponent',
      message: `must be the payment's exponent (${payment.exponent})`,
    };
  }
  if (payment.status !== 'SUCCEEDED') return { kind: 'not_refundable', status: payment.status };
  const left = refundableAmount(payment);
  const asked = refund.amount?.value ?? left.value;
  if (asked <= 0 || asked > left.value) {
    return {
      kind: 'exceeds_refundable',
      ...(refund.amount && { requested: refund.amount }),
      refundable: left,
    };
  }
  return undefined;
}

/**
 * Checks, records and publishes one refund request. `requestedBy`: a front-door
 * client id, `payctl:<actor>`, `console:<person>`, or `bus:<source>`.
 * Throws when publishing fails: the request stays recorded and a retry with
 * the same refundId publishes it.
 */
export async function requestRefund(
  deps: RefundRequestDeps,
  refund: RefundRequested,
  requestedBy: string,
): Promise<RefundRequestResult> {
  const payment = await deps.payments.get(refund.paymentId);
  if (!payment) return { kind: 'payment_not_found' };
  const existing = await deps.refunds.get(refund.paymentId, refund.refundId);
  if (existing) {
    if (existing.requestHash !== refundRequestHash(refund)) {
      return { kind: 'idempotency_conflict', refundId: refund.refundId };
    }
    await publishIfNotBegun(deps, existing);
    return { kind: 'accepted', record: existing, replayed: true };
  }
  const refused = refusal(payment, refund);
  if (refused) return refused;
  const opened = await openRefund(
    deps,
    refund,
    deps.executionArnOf(refund.paymentId, refund.refundId),
    payment,
    requestedBy,
  ).catch((error: unknown) => {
    if (error instanceof Error && error.name === 'InvalidPaymentError') return undefined;
    throw error;
  });
  if (!opened) return { kind: 'idempotency_conflict', refundId: refund.refundId };
  await publishIfNotBegun(deps, opened.record);
  return { kind: 'accepted', record: opened.record, replayed: opened.outcome === 'duplicate' };
}
