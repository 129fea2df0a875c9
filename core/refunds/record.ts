import * as z from 'zod';

/**
 * A refund's own record (payments table, PAYMENT#<paymentId> / REFUND#<refundId>):
 * the request as asked, then what the refund saga did. The amounts a refund
 * reserved live on the payment item too (core/payments/refund-store.ts), where
 * one conditional write keeps every refund of a payment within what was captured.
 */
export const REFUND_STATUSES = ['REQUESTED', 'RESERVED', 'SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];
export const TERMINAL_REFUND_STATUSES: readonly RefundStatus[] = ['SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION'];

export const RefundRecordSchema = z.object({
  refundId: z.string(),
  paymentId: z.string(),
  status: z.enum(REFUND_STATUSES),
  /** Minor units asked for; absent = everything still refundable when Reserve runs. */
  requestedAmount: z.number().int().optional(),
  currency: z.string(),
  exponent: z.number().int(),
  reason: z.string(),
  requestHash: z.string(),
  requestedAt: z.string(),
  /** Who asked: a front-door client id, `payctl:<actor>`, or `bus`. */
  requestedBy: z.string().optional(),
  executionArn: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  terminalAt: z.string().optional(),
  /** Set by Reserve: the amount and its split (core/refunds/split.ts). */
  amount: z.number().int().optional(),
  walletAmount: z.number().int().optional(),
  gatewayAmount: z.number().int().optional(),
  gatewayRefundId: z.string().optional(),
  /**
   * Set by RefundAtGateway before its first gateway call: dates the key refund:<paymentId>:<refundId>. A
   * later attempt past the gateway's idempotency window looks for the refund by its refundId first.
   */
  refundAttemptedAt: z.string().optional(),
  reasonCode: z.string().optional(),
  failureReason: z.string().optional(),
  failedState: z.string().optional(),
  /** Set when a person starts resolving it: one action at a time (core/refunds/resolution-store.ts claim). */
  resolving: z.object({ action: z.enum(['finish', 'release']), by: z.string(), at: z.string() }).optional(),
  /** Set when a person finished a NEEDS_ATTENTION refund (`payctl payments resolve-refund`, core/refunds/resolve.ts). */
  resolution: z
    .object({
      action: z.enum(['finish', 'release']),
      by: z.string(),
      at: z.string(),
      reason: z.string().optional(),
    })
    .optional(),
});
export type RefundRecord = z.infer<typeof RefundRecordSchema>;

/** A refund's reservation on the payment item (`refunds.<refundId>`), kept for the payment's life. */
export const REFUND_RESERVATION_STATES = ['RESERVED', 'REFUNDED', 'RELEASED'] as const;
export const RefundReservationSchema = z.object({
  walletAmount: z.number().int().nonnegative(),
  gatewayAmount: z.number().int().nonnegative(),
  state: z.enum(REFUND_RESERVATION_STATES),
});
export type RefundReservation = z.infer<typeof RefundReservationSchema>;

/** The refund fields of the payment item (all absent until its first refund). */
export const PaymentRefundFieldsSchema = z.object({
  refunds: z.record(z.string(), RefundReservationSchema).optional(),
  /** Reserved or refunded, in total and per source (released reservations give theirs back). */
  refundCommitted: z.number().int().optional(),
  refundCommittedWallet: z.number().int().optional(),
  refundCommittedGateway: z.number().int().optional(),
  /** Refunded for good (the reversal is posted). */
  refunded: z.number().int().optional(),
  refundedWallet: z.number().int().optional(),
  refundedGateway: z.number().int().optional(),
});
export type PaymentRefundFields = z.infer<typeof PaymentRefundFieldsSchema>;
