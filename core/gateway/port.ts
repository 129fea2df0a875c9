import type { Currency, Money } from '../money';

/**
 * The payment gateway as the saga steps see it. The Stripe adapter implements
 * it against the real API (or the local sandbox, which speaks the same subset).
 *
 * Every method throws only paysaga errors (core/errors.ts):
 * - CardDeclinedError(message, declineCode)  final: the card was declined (reasonCode = decline code)
 * - InvalidPaymentError                     final: the gateway refused the request as invalid
 * - ThrottlingError                         retryable: 429
 * - GatewayUnavailableError                 retryable: 5xx, connection refused, gateway down,
 *                                             rejected credentials (fix the secret, then redrive)
 * - GatewayTimeoutError                     retryable, ambiguous: no answer; the operation may have
 *                                             happened. Retrying with the same idempotency key is safe.
 * - LedgerInvariantError                    final: the gateway's state contradicts the saga
 * Messages never carry the API key or card data.
 */
export interface PaymentGateway {
  /** Charges once per paymentId: the idempotency key is the paymentId, so a retry never charges twice. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Refunds a charge once per paymentId (idempotency key `refund:<paymentId>`), or once per refundId. */
  refund(request: RefundRequest): Promise<RefundResult>;
  /**
   * The refund of `chargeId` made for a refund saga's refundId (metadata.refundId), or undefined when there
   * is none: for a retry after the gateway forgot the key refund:<paymentId>:<refundId> (24 h on Stripe).
   * Reads the charge's list of refunds (consistent at once, unlike search).
   */
  findRefund(request: FindRefundRequest): Promise<RefundResult | undefined>;
  /**
   * The money-moving charge made for a paymentId, or undefined if there is none; several are a
   * LedgerInvariantError. For reconciliation and compensation when the charge id was lost. On Stripe this
   * uses the Search API, which can lag writes by up to about a minute; with `createdSince` it also reads
   * the list of charges created in [createdSince, createdUntil], which is consistent at once (for
   * compensation right after a Charge error; charge-lookup.ts computes the window). The list is capped: a
   * window holding more PaymentIntents than the cap is a GatewayUnavailableError (retry once search caught up).
   */
  findChargeByPaymentId(paymentId: string, options?: FindChargeOptions): Promise<ChargeResult | undefined>;
  /** Money-moving charges created in [from, to), newest first, paging transparently. */
  listCharges(period: Period): AsyncIterable<ChargeRecord>;
  /** Refunds created in [from, to), newest first, paging transparently. */
  listRefunds(period: Period): AsyncIterable<RefundRecord>;
}

export interface FindChargeOptions {
  readonly createdSince?: Date;
  /** The end of the list window; without it the list runs to now. */
  readonly createdUntil?: Date;
}

export interface ChargeRequest {
  readonly paymentId: string;
  readonly amount: Money;
  /** A gateway payment-method token (`pm_...`); never card data. */
  readonly paymentMethod: string;
  readonly description?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** `processing`: accepted, funds not yet confirmed (rare for cards); anything else is an error. */
export type ChargeStatus = 'succeeded' | 'processing';

export interface ChargeResult {
  /** The gateway's id of the charge (on Stripe: the PaymentIntent id, `pi_...`); refunds take it. */
  readonly chargeId: string;
  readonly amount: Money;
  /** Same as amount.currency; here for callers that store them side by side. */
  readonly currency: Currency;
  readonly status: ChargeStatus;
  /** ISO-8601 time the gateway created the charge. */
  readonly created: string;
}

export interface ChargeRecord extends ChargeResult {
  /** From the charge's metadata; undefined for charges paysaga did not make. */
  readonly paymentId: string | undefined;
}

export interface RefundRequest {
  readonly paymentId: string;
  readonly chargeId: string;
  readonly amount: Money;
  /**
   * A refund saga's refundId (partial and repeated refunds): the idempotency key is then
   * `refund:<paymentId>:<refundId>`, one refund per refundId. Absent: the payment saga's one
   * compensation refund, keyed `refund:<paymentId>`.
   */
  readonly refundId?: string;
}

export interface FindRefundRequest {
  readonly paymentId: string;
  readonly chargeId: string;
  readonly refundId: string;
}

/** `pending`: accepted, will complete without further action (Stripe card refunds may sit here). */
export type RefundStatus = 'succeeded' | 'pending';

export interface RefundResult {
  readonly refundId: string;
  readonly chargeId: string;
  readonly amount: Money;
  readonly currency: Currency;
  readonly status: RefundStatus;
  readonly created: string;
}

export interface RefundRecord extends RefundResult {
  readonly paymentId: string | undefined;
  /**
   * A refund saga's refundId (the refund's metadata.refundId, key refund:<paymentId>:<refundId>);
   * undefined for the payment saga's compensation refund and refunds made outside paysaga.
   */
  readonly sagaRefundId?: string;
}

/** Half-open period [from, to), second resolution (the gateway's `created` is in seconds). */
export interface Period {
  readonly from: Date;
  readonly to: Date;
}

/** The gateway idempotency keys, in one place so reconciliation and tests agree with the adapter. */
export const idempotencyKeys = {
  charge: (paymentId: string): string => paymentId,
  refund: (paymentId: string): string => `refund:${paymentId}`,
  /** A refund saga's refund at the gateway (":" never occurs in ids, so it never collides with the above). */
  refundOf: (paymentId: string, refundId: string): string => `refund:${paymentId}:${refundId}`,
} as const;
