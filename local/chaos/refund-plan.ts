/**
 * The chaos run's refunds: RefundRequested for payments that succeeded, sent
 * once their payment is SUCCEEDED (driver.ts sendRefundsWhenSucceeded). Every
 * payment of a refund-after-success kind gets one (the gateway drops or
 * refuses its refund), and REFUND_SHARE of the payments the gateway approves.
 * Shapes: a full refund, a partial one, two concurrent partial refunds of one
 * payment that together ask more than was captured (the reservation lets one
 * through), and the same refund sent twice.
 */
import type { ChaosPayment } from './plan';
import { chaosDraw, type PaymentKind } from './schedule';

export const REFUND_SHAPES = ['full', 'partial', 'concurrent', 'duplicate'] as const;
export type RefundShape = (typeof REFUND_SHAPES)[number];

/** One RefundRequested of the run. */
export interface ChaosRefund {
  readonly refundId: string;
  readonly paymentId: string;
  readonly shape: RefundShape;
  /** Minor units asked for; absent: everything still refundable. */
  readonly amount?: number;
  readonly detail: Record<string, unknown>;
  /** How many times the same event is put on the bus (2 for `duplicate`). */
  readonly copies: number;
}

/** Share of the approved-kind payments that are refunded after success. */
export const REFUND_SHARE = 0.08;
/** Each of the two concurrent refunds asks this share of the payment: together more than was captured. */
const CONCURRENT_SHARE = 0.6;
const PARTIAL_SHARE = 0.4;

/** Kinds whose payment the run refunds after success, always. */
export const REFUND_AFTER_SUCCESS: ReadonlySet<PaymentKind> = new Set<PaymentKind>([
  'refundAfterSuccessLost',
  'refundAfterSuccessRefused',
]);
/** Kinds whose payment succeeds (after retries or a replay) unless a crash stops it: refund candidates. */
const SUCCEEDING: ReadonlySet<PaymentKind> = new Set<PaymentKind>([
  'approve',
  'gateway5xx',
  'gatewayRateLimited',
  'gatewaySlow',
  'chargeResponseLost',
]);

function shapeOf(seed: number, paymentId: string): RefundShape {
  const draw = chaosDraw(seed, paymentId, 'refund-shape');
  return REFUND_SHAPES[Math.floor(draw * REFUND_SHAPES.length)] ?? 'full';
}

function refundDetail(
  refundId: string,
  payment: ChaosPayment,
  amount: number | undefined,
  requestedAt: string,
): Record<string, unknown> {
  return {
    schemaVersion: '1',
    refundId,
    paymentId: payment.paymentId,
    ...(amount !== undefined && { amount: { value: amount, currency: payment.currency, exponent: 2 } }),
    reason: `chaos refund ${refundId}`,
    requestedAt,
  };
}

/** The refunds of a run's payments: a pure function of the seed and the payments. */
export function planRefunds(
  runId: string,
  seed: number,
  payments: readonly ChaosPayment[],
  requestedAt: string,
): ChaosRefund[] {
  const refunds: ChaosRefund[] = [];
  for (const payment of payments) {
    const always = REFUND_AFTER_SUCCESS.has(payment.kind);
    const chosen =
      SUCCEEDING.has(payment.kind) && chaosDraw(seed, payment.paymentId, 'refund') < REFUND_SHARE;
    if (!always && !chosen) continue;
    const index = refunds.length;
    const refundId = `${runId}-r${index}`;
    // A refused or dropped gateway refund is met in full; the others by shape.
    const shape = always ? 'full' : shapeOf(seed, payment.paymentId);
    const one = (id: string, amount: number | undefined, copies = 1): ChaosRefund => ({
      refundId: id,
      paymentId: payment.paymentId,
      shape,
      ...(amount !== undefined && { amount }),
      detail: refundDetail(id, payment, amount, requestedAt),
      copies,
    });
    const partial = Math.max(1, Math.floor(payment.amount * PARTIAL_SHARE));
    switch (shape) {
      case 'full':
        refunds.push(one(refundId, undefined));
        break;
      case 'partial':
        refunds.push(one(refundId, partial));
        break;
      case 'duplicate':
        refunds.push(one(refundId, partial, 2));
        break;
      case 'concurrent': {
        const each = Math.max(1, Math.ceil(payment.amount * CONCURRENT_SHARE));
        refunds.push(one(`${refundId}a`, each), one(`${refundId}b`, each));
        break;
      }
    }
  }
  return refunds;
}
