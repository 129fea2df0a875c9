import type { PaymentRecord } from '../payments/records';

/**
 * Where a SUCCEEDED payment's money came from, and how a refund is split
 * between those sources. ONE function reads the split of a payment record
 * (paymentSplit) and ONE policy splits a refund (splitRefund); the refund
 * saga, the front door and reconciliation all use these two.
 *
 * Policy: the card part first, up to what is still refundable on the card,
 * then the wallet part. A refund goes back to where the money came from, and
 * the payer gets card money back on the card first (as Stripe, Adyen and the
 * other processors do for the original payment method).
 */

export interface PaymentSplit {
  /** What the merchant was credited: the most that can ever be refunded. */
  readonly captured: number;
  /** The part debited from the wallet (posted hold): goes back to the wallet. */
  readonly walletAmount: number;
  /** The part charged at the gateway: goes back to the card. */
  readonly gatewayAmount: number;
  /** True when the record predates the split and its parts are defaulted. */
  readonly legacy: boolean;
}

/**
 * The split of a payment record. A record written before the wallet-first
 * funds flow has neither field: it was held in full on the wallet (posted
 * hold = amount) and charged in full at the gateway (when it has a chargeId),
 * so each part defaults to the whole amount; `captured` (= amount) still
 * bounds the total, so such a payment is never refunded more than once over.
 */
export function paymentSplit(
  record: Pick<PaymentRecord, 'amount' | 'walletAmount' | 'gatewayAmount' | 'chargeId'>,
): PaymentSplit {
  if (record.walletAmount === undefined && record.gatewayAmount === undefined) {
    return {
      captured: record.amount,
      walletAmount: record.amount,
      gatewayAmount: record.chargeId ? record.amount : 0,
      legacy: true,
    };
  }
  const walletAmount = record.walletAmount ?? 0;
  const gatewayAmount = record.gatewayAmount ?? 0;
  return { captured: walletAmount + gatewayAmount, walletAmount, gatewayAmount, legacy: false };
}

/** Minor units already committed to refunds (reserved or refunded), in total and per source. */
export interface RefundCommitted {
  readonly total: number;
  readonly wallet: number;
  readonly gateway: number;
}

export const NOTHING_COMMITTED: RefundCommitted = { total: 0, wallet: 0, gateway: 0 };

export interface RefundParts {
  readonly walletAmount: number;
  readonly gatewayAmount: number;
}

/** What is still refundable in total and per source (never negative). */
export function refundable(split: PaymentSplit, committed: RefundCommitted): RefundCommitted {
  const wallet = Math.max(0, split.walletAmount - committed.wallet);
  const gateway = Math.max(0, split.gatewayAmount - committed.gateway);
  const total = Math.max(0, Math.min(split.captured - committed.total, wallet + gateway));
  return { total, wallet, gateway };
}

/**
 * Splits `amount` by the policy above, or undefined when more than what is
 * still refundable is asked for.
 */
export function splitRefund(
  amount: number,
  split: PaymentSplit,
  committed: RefundCommitted,
): RefundParts | undefined {
  const left = refundable(split, committed);
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > left.total) return undefined;
  const gatewayAmount = Math.min(amount, left.gateway);
  const walletAmount = amount - gatewayAmount;
  if (walletAmount > left.wallet) return undefined;
  return { walletAmount, gatewayAmount };
}
