import '../config/zod-locale';
import * as z from 'zod/mini';
import { Amount } from '../../events/common';
import { PaymentRequestedV1 } from '../../events/payment-requested.v1';
import { TopUpRequestedV1 } from '../../events/top-ups.v1';
import { deferred } from '../config/deferred-schema';
import { PAYMENT_STATUSES, RESOLUTION_ACTIONS, RESOLUTION_OUTCOMES } from '../payments/records';
import { REFUND_STATUSES } from '../refunds/record';
import { TOP_UP_STATUSES } from '../topups/store';

/**
 * The front door's wire contract: the request body, the answers and the
 * problem documents. Handlers build these, the OpenAPI document is generated
 * from them (core/frontdoor/openapi.ts), and the types are inferred from them.
 */

/** POST /v1/payments body: the PaymentRequested v1 detail; paymentId, schemaVersion and requestedAt may be left out. */
export const SubmitPaymentBody = deferred(() =>
  z.partial(PaymentRequestedV1, {
    paymentId: true,
    schemaVersion: true,
    requestedAt: true,
  }),
);

export const AcceptedResponse = deferred(() =>
  z.strictObject({
    paymentId: z.string(),
    status: z.literal('ACCEPTED'),
    acceptedAt: z.string(),
    /** Where to poll: GET /v1/payments/{paymentId}. */
    statusUrl: z.string(),
  }),
);
export type AcceptedResponse = z.infer<typeof AcceptedResponse>;

/** ACCEPTED: on the bus, no saga yet. REJECTED: intake refused it (another request already used the id). */
export const ApiPaymentStatus = deferred(() => z.enum([...PAYMENT_STATUSES, 'ACCEPTED', 'REJECTED']));
export type ApiPaymentStatus = z.infer<typeof ApiPaymentStatus>;

export const StepAttempt = deferred(() =>
  z.strictObject({
    step: z.string(),
    outcome: z.string(),
    at: z.string(),
    durationMs: z.optional(z.number()),
    /** The error's name (e.g. GatewayUnavailableError); messages stay internal. */
    error: z.optional(z.string()),
  }),
);

/** An amount the door answers with: a request's amount shape, but it may be zero (e.g. nothing left to refund). */
export const AmountView = deferred(() =>
  z.strictObject({
    value: z.int().check(z.nonnegative()),
    currency: z.string(),
    exponent: z.int().check(z.gte(0), z.lte(4)),
  }),
);
export type AmountView = z.infer<typeof AmountView>;

/** One refund of a payment, as GET /v1/payments/{paymentId} lists it (details: GET .../refunds/{refundId}). */
export const PaymentRefundSummary = deferred(() =>
  z.strictObject({
    refundId: z.string(),
    status: z.enum(REFUND_STATUSES),
    /** Reserved, or asked for before the reservation; absent while "everything" is not reserved yet. */
    amount: z.optional(AmountView),
  }),
);
export type PaymentRefundSummary = z.infer<typeof PaymentRefundSummary>;

export const PaymentStatusResponse = deferred(() =>
  z.strictObject({
    paymentId: z.string(),
    status: ApiPaymentStatus,
    amount: Amount,
    walletId: z.string(),
    merchantId: z.string(),
    description: z.optional(z.string()),
    acceptedAt: z.string(),
    requestedAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.optional(z.string()),
    failure: z.optional(
      z.strictObject({
        reasonCode: z.string(),
        reason: z.optional(z.string()),
        step: z.optional(z.string()),
      }),
    ),
    /** Compensations that ran, in order (ReleaseFunds, RefundCharge). */
    compensations: z.optional(z.array(z.string())),
    /**
     * An operator finished the payment after its saga parked it (payctl payments resolve): what the merchant
     * was told (`outcome`, as the payment.succeeded / payment.failed webhook) is then its status.
     */
    resolution: z.optional(
      z.strictObject({
        action: z.enum(RESOLUTION_ACTIONS),
        outcome: z.enum(RESOLUTION_OUTCOMES),
        resolvedAt: z.string(),
      }),
    ),
    /** One entry per step attempt, in time order: no ARNs, no gateway or ledger ids, no error messages. */
    steps: z.array(StepAttempt),
    /** Its refunds, in refundId order (issue 16). */
    refunds: z.optional(z.array(PaymentRefundSummary)),
    /** What a refund may still take: 0 unless SUCCEEDED. */
    refundable: z.optional(AmountView),
    /** Refunded for good (the reversal posted). */
    refunded: z.optional(AmountView),
  }),
);
export type PaymentStatusResponse = z.infer<typeof PaymentStatusResponse>;

export const FieldError = deferred(() =>
  z.strictObject({
    /** Dotted path into the body (`amount.currency`), or `header:Idempotency-Key`; never the value. */
    path: z.string(),
    message: z.string(),
  }),
);
export type FieldError = z.infer<typeof FieldError>;

/** RFC 9457 problem document. */
export const Problem = deferred(() =>
  z.strictObject({
    type: z.string(),
    title: z.string(),
    status: z.number().check(z.int()),
    detail: z.string(),
    errors: z.optional(z.array(FieldError)),
  }),
);
export type Problem = z.infer<typeof Problem>;

/**
 * POST /v1/wallets/{walletId}/top-ups body: the TopUpRequested v1 fields the client chooses. The walletId
 * is the path's; the topUpId is the Idempotency-Key (the body may repeat it).
 */
export const TopUpBody = deferred(() =>
  z.partial(
    z.pick(TopUpRequestedV1, {
      topUpId: true,
      amount: true,
      paymentMethod: true,
      metadata: true,
    }),
    { topUpId: true },
  ),
);

export const TopUpAcceptedResponse = deferred(() =>
  z.strictObject({
    topUpId: z.string(),
    walletId: z.string(),
    status: z.literal('ACCEPTED'),
    acceptedAt: z.string(),
    /** Where to poll: GET /v1/wallets/{walletId}/top-ups/{topUpId}. */
    statusUrl: z.string(),
  }),
);
export type TopUpAcceptedResponse = z.infer<typeof TopUpAcceptedResponse>;

/** A top-up as its owner sees it: no gateway ids, no execution ARNs, no error messages beyond the reason. */
export const TopUpStatusResponse = deferred(() =>
  z.strictObject({
    topUpId: z.string(),
    walletId: z.string(),
    /** ACCEPTED, CHARGED (payment method charged, wallet not yet credited), SUCCEEDED, FAILED, NEEDS_ATTENTION. */
    status: z.enum(TOP_UP_STATUSES),
    amount: Amount,
    acceptedAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.optional(z.string()),
    failure: z.optional(
      z.strictObject({
        reasonCode: z.string(),
        reason: z.optional(z.string()),
        step: z.optional(z.string()),
        /** Whether a charge that was made has been refunded (false: a person is on it). */
        refunded: z.optional(z.boolean()),
      }),
    ),
  }),
);
export type TopUpStatusResponse = z.infer<typeof TopUpStatusResponse>;
