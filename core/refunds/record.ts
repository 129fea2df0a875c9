import '../config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../config/deferred-schema';

/**
 * A refund's own record (payments table, PAYMENT#<paymentId> / REFUND#<refundId>):
 * the request as asked, then what the refund saga did. The amounts a refund
 * reserved live on the payment item too (core/payments/refund-store.ts), where
 * one conditional write keeps every refund of a payment within what was captured.
 */
export const REFUND_STATUSES = ['REQUESTED', 'RESERVED', 'SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];
export const TERMINAL_REFUND_STATUSES: readonly RefundStatus[] = ['SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION'];

export const RefundRecordSchema = deferred(() =>
  z.object({
    refundId: z.string(),
    paymentId: z.string(),
    status: z.enum(REFUND_STATUSES),
    /** Minor units asked for; absent = everything still refundable when Reserve runs. */
    requestedAmount: z.optional(z.number().check(z.int())),
    currency: z.string(),
    exponent: z.number().check(z.int()),
    reason: z.string(),
    requestHash: z.string(),
    requestedAt: z.string(),
    /** Who asked: a front-door client id, `payctl:<actor>`, or `bus`. */
    requestedBy: z.optional(z.string()),
    executionArn: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    terminalAt: z.optional(z.string()),
    /** Set by Reserve: the amount and its split (core/refunds/split.ts). */
    amount: z.optional(z.number().check(z.int())),
    walletAmount: z.optional(z.number().check(z.int())),
    gatewayAmount: z.optional(z.number().check(z.int())),
    gatewayRefundId: z.optional(z.string()),
    /**
     * Set by RefundAtGateway before its first gateway call: dates the key refund:<paymentId>:<refundId>. A
     * later attempt past the gateway's idempotency window looks for the refund by its refundId first.
     */
    refundAttemptedAt: z.optional(z.string()),
    reasonCode: z.optional(z.string()),
    failureReason: z.optional(z.string()),
    failedState: z.optional(z.string()),
    /** Set when a person starts resolving it: one action at a time (core/refunds/resolution-store.ts claim). */
    resolving: z.optional(
      z.object({ action: z.enum(['finish', 'release']), by: z.string(), at: z.string() }),
    ),
    /** Set when a person finished a NEEDS_ATTENTION refund (`payctl payments resolve-refund`, core/refunds/resolve.ts). */
    resolution: z.optional(
      z.object({
        action: z.enum(['finish', 'release']),
        by: z.string(),
        at: z.string(),
        reason: z.optional(z.string()),
      }),
    ),
  }),
);
export type RefundRecord = z.infer<typeof RefundRecordSchema>;

/** A refund's reservation on the payment item (`refunds.<refundId>`), kept for the payment's life. */
export const REFUND_RESERVATION_STATES = ['RESERVED', 'REFUNDED', 'RELEASED'] as const;
export const RefundReservationSchema = deferred(() =>
  z.object({
    walletAmount: z.number().check(z.int(), z.nonnegative()),
    gatewayAmount: z.number().check(z.int(), z.nonnegative()),
    state: z.enum(REFUND_RESERVATION_STATES),
  }),
);
export type RefundReservation = z.infer<typeof RefundReservationSchema>;

/** The refund fields of the payment item (all absent until its first refund). */
export const PaymentRefundFieldsSchema = deferred(() =>
  z.object({
    refunds: z.optional(z.record(z.string(), RefundReservationSchema)),
    /** Reserved or refunded, in total and per source (released reservations give theirs back). */
    refundCommitted: z.optional(z.number().check(z.int())),
    refundCommittedWallet: z.optional(z.number().check(z.int())),
    refundCommittedGateway: z.optional(z.number().check(z.int())),
    /** Refunded for good (the reversal is posted). */
    refunded: z.optional(z.number().check(z.int())),
    refundedWallet: z.optional(z.number().check(z.int())),
    refundedGateway: z.optional(z.number().check(z.int())),
  }),
);
export type PaymentRefundFields = z.infer<typeof PaymentRefundFieldsSchema>;
