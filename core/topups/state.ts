import '../config/zod-locale';
import * as z from 'zod/mini';
import { TopUpRequestedV1 } from '../../events/top-ups.v1';
import { deferred } from '../config/deferred-schema';
import { CaughtError, ChargeOutput } from '../saga/state';

/**
 * The top-up saga's execution state and the slice each step receives, as the
 * ASL's Parameters hand them over. Validated at every handler's boundary.
 */

const ExecutionArn = deferred(() => z.string().check(z.minLength(1)));
const Base = { topUp: TopUpRequestedV1, executionArn: ExecutionArn };

export const TopUpChargeOutput = ChargeOutput;
export type TopUpChargeOutput = z.infer<typeof TopUpChargeOutput>;

export const CreditOutput = deferred(() =>
  z.object({
    depositId: z.string(),
    amount: z.int(),
    currency: z.string(),
    /** True when the deposit was already made (a retry after a lost answer). */
    replayed: z.boolean(),
  }),
);
export type CreditOutput = z.infer<typeof CreditOutput>;

/** `nothing_charged`: after a Charge error the gateway holds no charge for the top-up, so nothing was refunded. */
export const TopUpRefundOutput = deferred(() =>
  z.object({
    refundId: z.optional(z.string()),
    status: z.enum(['succeeded', 'pending', 'nothing_charged']),
  }),
);
export type TopUpRefundOutput = z.infer<typeof TopUpRefundOutput>;

export const TopUpChargeInput = deferred(() => z.object(Base));
export const CreditInput = deferred(() => z.object({ ...Base, charge: TopUpChargeOutput }));
/**
 * From Credit's Catch the charge is known; from Charge's Catch it is not (the gateway is asked). The ASL
 * passes the whole state as `saga` because a JSONPath Parameter cannot name a path that may be absent.
 */
export const TopUpRefundInput = deferred(() =>
  z.object({
    ...Base,
    error: CaughtError,
    saga: z.object({ charge: z.optional(TopUpChargeOutput) }),
  }),
);

export type TopUpChargeInput = z.infer<typeof TopUpChargeInput>;
export type CreditInput = z.infer<typeof CreditInput>;
export type TopUpRefundInput = z.infer<typeof TopUpRefundInput>;

/** The whole execution state, as RecordOutcome sees it at the end of any path. */
export const TopUpSagaState = deferred(() =>
  z.object({
    topUp: TopUpRequestedV1,
    charge: z.optional(TopUpChargeOutput),
    credit: z.optional(CreditOutput),
    refund: z.optional(TopUpRefundOutput),
    error: z.optional(CaughtError),
    compensationError: z.optional(CaughtError),
  }),
);
export type TopUpSagaState = z.infer<typeof TopUpSagaState>;

export const TopUpRecordOutcomeInput = deferred(() =>
  z.object({
    outcome: z.enum(['succeeded', 'failed', 'needs_attention']),
    saga: TopUpSagaState,
    executionArn: ExecutionArn,
  }),
);
export type TopUpRecordOutcomeInput = z.infer<typeof TopUpRecordOutcomeInput>;

/** The saga's input: only the validated request, serialized canonically so duplicates compare equal. */
export interface TopUpSagaInput {
  readonly topUp: z.infer<typeof TopUpRequestedV1>;
}
