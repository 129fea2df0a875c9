import '../config/zod-locale';
import * as z from 'zod/mini';
import { RefundRequestedV1 } from '../../events/refunds.v1';
import { deferred } from '../config/deferred-schema';
import { AmountView, Problem } from '../frontdoor/contract';
import { REFUND_STATUSES } from './record';

/**
 * The refund routes' wire contract (POST /v1/payments/{paymentId}/refunds and
 * GET .../refunds/{refundId}): the body, the answers and the refund problem.
 * Handlers build these; the OpenAPI document is generated from them.
 */

/**
 * POST body: `amount` (left out: everything still refundable) and `reason`. The refundId is the
 * Idempotency-Key (the body may repeat it); the paymentId is the path's.
 */
export const RefundBody = deferred(() =>
  z.partial(z.pick(RefundRequestedV1, { refundId: true, amount: true, reason: true }), {
    refundId: true,
  }),
);
export type RefundBody = z.infer<typeof RefundBody>;

export const RefundAcceptedResponse = deferred(() =>
  z.strictObject({
    refundId: z.string(),
    paymentId: z.string(),
    status: z.literal('ACCEPTED'),
    acceptedAt: z.string(),
    /** Where to poll: GET /v1/payments/{paymentId}/refunds/{refundId}. */
    statusUrl: z.string(),
  }),
);
export type RefundAcceptedResponse = z.infer<typeof RefundAcceptedResponse>;

/** Where the refund's money went back to, in minor units of the payment's currency. */
export const RefundPartsView = deferred(() =>
  z.strictObject({
    /** Back to the payer's wallet. */
    walletAmount: z.int().check(z.nonnegative()),
    /** Back to the card, refunded at the gateway. */
    gatewayAmount: z.int().check(z.nonnegative()),
  }),
);

/** A refund as the payment's owner sees it. */
export const RefundStatusResponse = deferred(() =>
  z.strictObject({
    refundId: z.string(),
    paymentId: z.string(),
    /** REQUESTED (not reserved yet), RESERVED, SUCCEEDED, FAILED (nothing refunded), NEEDS_ATTENTION (a person is on it). */
    status: z.enum(REFUND_STATUSES),
    /** The amount reserved, or the amount asked for before the reservation; absent while "everything" is not reserved yet. */
    amount: z.optional(AmountView),
    parts: z.optional(RefundPartsView),
    reason: z.string(),
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
    /** The gateway's refund id of the card part (none for a wallet-only refund). */
    gatewayRefundId: z.optional(z.string()),
  }),
);
export type RefundStatusResponse = z.infer<typeof RefundStatusResponse>;

/**
 * A refund refused with 409 says why in members of its own (RFC 9457 extensions): the payment's
 * status when it is not SUCCEEDED, and the amount still refundable when more was asked.
 */
export const RefundProblem = deferred(() =>
  z.extend(Problem, {
    paymentStatus: z.optional(z.string()),
    refundable: z.optional(AmountView),
  }),
);
export type RefundProblem = z.infer<typeof RefundProblem>;
