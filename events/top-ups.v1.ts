import '../core/config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../core/config/deferred-schema';
import { Amount, FreeText, IsoDateTime, Metadata, PaymentMethod, SchemaVersion, WalletId } from './common';
import { FailureReasonCode } from './outcomes.v1';

/**
 * The top-up contracts: TopUpRequested (what the front door, or a producer on
 * the bus, asks for) and the top-up saga's outcomes. A top-up charges a gateway
 * payment method and credits the wallet with the same amount.
 */

/** The client's idempotency key; also the top-up saga's execution name and the wallet deposit's id. */
export const TopUpId = deferred(() =>
  z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'topUpId must be 1-64 letters, digits, "-" or "_"')),
);

/** TopUpRequested v1. Strict: an unknown field is an error, so a typo never silently drops data. */
export const TopUpRequestedV1 = deferred(() =>
  z.strictObject({
    schemaVersion: SchemaVersion,
    topUpId: TopUpId,
    walletId: WalletId,
    amount: Amount,
    paymentMethod: PaymentMethod,
    metadata: z.optional(Metadata),
    requestedAt: IsoDateTime,
  }),
);
export type TopUpRequested = z.infer<typeof TopUpRequestedV1>;

const TopUpOutcomeBase = {
  schemaVersion: SchemaVersion,
  topUpId: TopUpId,
  walletId: WalletId,
  amount: Amount,
  executionArn: z.optional(z.string()),
  occurredAt: IsoDateTime,
};

/** The wallet was credited with the amount the gateway charged (the deposit's id is the topUpId). */
export const TopUpSucceededV1 = deferred(() =>
  z.object({
    ...TopUpOutcomeBase,
    chargeId: z.string(),
  }),
);

/**
 * Nothing was credited. `refund` says what became of a charge that was made:
 * not_needed (nothing charged), refunded, or failed (the refund itself failed
 * after its retries: the saga state waits in `deadLetterQueue` for a person).
 */
export const TopUpFailedV1 = deferred(() =>
  z.object({
    ...TopUpOutcomeBase,
    reasonCode: FailureReasonCode,
    reason: FreeText(1000),
    failedState: z.string(),
    refund: z.enum(['not_needed', 'refunded', 'failed']),
    refundId: z.optional(z.string()),
    deadLetterQueue: z.optional(z.string()),
  }),
);

export type TopUpSucceeded = z.infer<typeof TopUpSucceededV1>;
export type TopUpFailed = z.infer<typeof TopUpFailedV1>;
