import '../core/config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../core/config/deferred-schema';
import { Amount, FreeText, IsoDateTime, MerchantId, PaymentId, SchemaVersion, WalletId } from './common';

const OutcomeBase = {
  schemaVersion: SchemaVersion,
  paymentId: PaymentId,
  walletId: WalletId,
  merchantId: MerchantId,
  amount: Amount,
  executionArn: z.optional(z.string()),
  occurredAt: IsoDateTime,
};

/** Why a payment failed, for machines. */
export const FailureReasonCode = deferred(() =>
  z.enum([
    'insufficient_funds',
    'card_declined',
    'expired_card',
    'incorrect_cvc',
    'processing_error',
    'gateway_unavailable',
    'gateway_timeout',
    'invalid_payment',
    'settlement_failed',
    'ledger_invariant',
    'timeout',
    'unknown',
  ]),
);
export type FailureReasonCode = z.infer<typeof FailureReasonCode>;

/**
 * The refund saga's (core/refunds): PostReversal, the ledger step failed after the gateway refunded;
 * RefundAtGateway, the gateway step (or the release after its refusal) could not finish, so the
 * card part may or may not be refunded and the reservation is kept.
 */
export const CompensationName = deferred(() =>
  z.enum(['RefundCharge', 'ReleaseFunds', 'PostReversal', 'RefundAtGateway']),
);

export const PaymentSucceededV1 = deferred(() =>
  z.object({
    ...OutcomeBase,
    holdId: z.string(),
    chargeId: z.string(),
  }),
);

export const PaymentFailedV1 = deferred(() =>
  z.object({
    ...OutcomeBase,
    reasonCode: FailureReasonCode,
    reason: FreeText(1000),
    failedState: z.string(),
  }),
);

export const PaymentCompensatedV1 = deferred(() =>
  z.object({
    ...OutcomeBase,
    reasonCode: FailureReasonCode,
    compensations: z.array(CompensationName),
    refundId: z.optional(z.string()),
  }),
);

export const PaymentNeedsAttentionV1 = deferred(() =>
  z.object({
    ...OutcomeBase,
    failedCompensation: CompensationName,
    error: z.string(),
    cause: FreeText(2000),
    deadLetterQueue: z.string(),
  }),
);

/** Not necessarily a well-formed payment: only what could be read safely. */
export const PaymentRejectedV1 = deferred(() =>
  z.object({
    schemaVersion: SchemaVersion,
    paymentId: z.optional(z.string().check(z.maxLength(200))),
    reasonCode: z.enum(['invalid_event', 'card_data_refused', 'conflicting_duplicate']),
    reason: FreeText(2000),
    eventId: z.optional(z.string()),
    occurredAt: IsoDateTime,
  }),
);

export type PaymentSucceeded = z.infer<typeof PaymentSucceededV1>;
export type PaymentFailed = z.infer<typeof PaymentFailedV1>;
export type PaymentCompensated = z.infer<typeof PaymentCompensatedV1>;
export type PaymentNeedsAttention = z.infer<typeof PaymentNeedsAttentionV1>;
export type PaymentRejected = z.infer<typeof PaymentRejectedV1>;
