import '../config/zod-locale';
import * as z from 'zod/mini';
import { RefundRequestedV1 } from '../../events/refunds.v1';
import { deferred } from '../config/deferred-schema';
import { CaughtError } from '../saga/state';

/**
 * The refund saga's execution state and the slice each step receives, as the
 * ASL's Parameters hand them over. Validated at every handler's boundary.
 */

const ExecutionArn = deferred(() => z.string().check(z.minLength(1)));
const Base = { refund: RefundRequestedV1, executionArn: ExecutionArn };

/** What Reserve reserved: the amount, its split, and what the later steps need of the payment. */
export const ReserveRefundOutput = deferred(() =>
  z.object({
    amount: z.int().check(z.positive()),
    currency: z.string(),
    exponent: z.int(),
    walletAmount: z.int().check(z.nonnegative()),
    gatewayAmount: z.int().check(z.nonnegative()),
    walletId: z.string(),
    merchantId: z.string(),
    chargeId: z.optional(z.string()),
    replayed: z.boolean(),
  }),
);
export type ReserveRefundOutput = z.infer<typeof ReserveRefundOutput>;

/** `not_needed`: the refund has no card part, the gateway is not called. */
export const GatewayRefundOutput = deferred(() =>
  z.object({
    status: z.enum(['succeeded', 'pending', 'not_needed']),
    gatewayRefundId: z.optional(z.string()),
  }),
);
export type GatewayRefundOutput = z.infer<typeof GatewayRefundOutput>;

export const PostReversalOutput = deferred(() =>
  z.object({
    entryId: z.string(),
    postedAt: z.string(),
    replayed: z.boolean(),
  }),
);
export type PostReversalOutput = z.infer<typeof PostReversalOutput>;

export const ReleaseRefundOutput = deferred(() => z.object({ released: z.int().check(z.nonnegative()) }));
export type ReleaseRefundOutput = z.infer<typeof ReleaseRefundOutput>;

export const ReserveRefundInput = deferred(() => z.object(Base));
export const RefundAtGatewayInput = deferred(() => z.object({ ...Base, reserve: ReserveRefundOutput }));
export const PostReversalInput = deferred(() =>
  z.object({
    ...Base,
    reserve: ReserveRefundOutput,
    gatewayRefund: GatewayRefundOutput,
  }),
);
/** Without `reserve`: Reserve stopped without answering (ReleaseUnconfirmedReservation); its reservation, if any, is released. */
export const ReleaseRefundInput = deferred(() =>
  z.object({
    ...Base,
    reserve: z.optional(ReserveRefundOutput),
    error: CaughtError,
  }),
);

export type ReserveRefundInput = z.infer<typeof ReserveRefundInput>;
export type RefundAtGatewayInput = z.infer<typeof RefundAtGatewayInput>;
export type PostReversalInput = z.infer<typeof PostReversalInput>;
export type ReleaseRefundInput = z.infer<typeof ReleaseRefundInput>;

/** The whole execution state, as RecordOutcome and Notify see it at the end of any path. */
export const RefundSagaState = deferred(() =>
  z.object({
    refund: RefundRequestedV1,
    reserve: z.optional(ReserveRefundOutput),
    gatewayRefund: z.optional(GatewayRefundOutput),
    reversal: z.optional(PostReversalOutput),
    release: z.optional(ReleaseRefundOutput),
    error: z.optional(CaughtError),
  }),
);
export type RefundSagaState = z.infer<typeof RefundSagaState>;

export const RefundRecordOutcomeInput = deferred(() =>
  z.object({
    outcome: z.enum(['succeeded', 'failed', 'needs_attention']),
    saga: RefundSagaState,
    executionArn: ExecutionArn,
  }),
);
export type RefundRecordOutcomeInput = z.infer<typeof RefundRecordOutcomeInput>;
