import '../core/config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../core/config/deferred-schema';
import { Amount, FreeText, IsoDateTime, PaymentId, SchemaVersion } from './common';

/**
 * The refund contracts: RefundRequested (what the front door, payctl or a
 * producer on the bus asks for) and the refund saga's outcomes. A refund
 * returns part or all of a SUCCEEDED payment to where it came from: its card
 * part at the gateway, its wallet part to the payer's wallet
 * (core/refunds/split.ts says how an amount is split).
 */

/** The client's idempotency key (Idempotency-Key), unique per payment. */
export const RefundId = deferred(() =>
  z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'refundId must be 1-64 letters, digits, "-" or "_"')),
);

export const RefundReason = deferred(() =>
  z.pipe(FreeText(500), z.string().check(z.trim(), z.minLength(1, 'reason is required'))),
);

/** RefundRequested v1. Strict. Without `amount`, everything still refundable is refunded. */
export const RefundRequestedV1 = deferred(() =>
  z.strictObject({
    schemaVersion: SchemaVersion,
    refundId: RefundId,
    paymentId: PaymentId,
    amount: z.optional(Amount),
    reason: RefundReason,
    requestedAt: IsoDateTime,
  }),
);
export type RefundRequested = z.infer<typeof RefundRequestedV1>;

/** Where each part of a refund went back to, in minor units of the payment's currency. */
export const RefundParts = deferred(() =>
  z.object({
    walletAmount: z.int().check(z.nonnegative()),
    gatewayAmount: z.int().check(z.nonnegative()),
  }),
);

const RefundOutcomeBase = {
  schemaVersion: SchemaVersion,
  refundId: RefundId,
  paymentId: PaymentId,
  amount: Amount,
  executionArn: z.optional(z.string()),
  occurredAt: IsoDateTime,
};

/** The refund was made: the card part refunded at the gateway, the reversal posted in the ledger. */
export const RefundSucceededV1 = deferred(() =>
  z.object({
    ...RefundOutcomeBase,
    ...RefundParts.shape,
    gatewayRefundId: z.optional(z.string()),
  }),
);

/**
 * Nothing was refunded (the reservation of the refundable amount was released, or none was made).
 * `amount` is absent when "everything refundable" was asked and refused before any was reserved.
 */
export const RefundFailedV1 = deferred(() =>
  z.object({
    ...RefundOutcomeBase,
    amount: z.optional(Amount),
    reasonCode: z.string().check(z.maxLength(100)),
    reason: FreeText(1000),
    failedState: z.string(),
  }),
);

/** A RefundRequested the refund intake refused, parked in the refund intake DLQ with the reason. */
export const RefundRejectedV1 = deferred(() =>
  z.object({
    schemaVersion: SchemaVersion,
    refundId: z.optional(z.string().check(z.maxLength(200))),
    paymentId: z.optional(z.string().check(z.maxLength(200))),
    reasonCode: z.enum([
      'invalid_event',
      'card_data_refused',
      'payment_not_refundable',
      'refund_exceeds_refundable',
      'conflicting_duplicate',
    ]),
    reason: FreeText(1000),
    occurredAt: IsoDateTime,
  }),
);

export type RefundSucceeded = z.infer<typeof RefundSucceededV1>;
export type RefundFailed = z.infer<typeof RefundFailedV1>;
export type RefundRejected = z.infer<typeof RefundRejectedV1>;
