import '../config/zod-locale';
import * as z from 'zod/mini';
import { PaymentRequestedV1 } from '../../events/payment-requested.v1';
import { deferred } from '../config/deferred-schema';
import { CURRENCIES, type Currency } from '../money';
import { CarriedTimeline } from './timeline';

/**
 * The shapes of what each saga step receives and returns, i.e. the slices of
 * the execution state the ASL's Parameters hand to each Lambda. Validated at
 * every handler's boundary: a malformed state is an InvalidPaymentError, not
 * a crash halfway through moving money.
 */

const CurrencyCode = deferred(() => z.enum(CURRENCIES as [Currency, ...Currency[]]));
const ExecutionArn = deferred(() => z.string().check(z.minLength(1)));

/**
 * The split Reserve decided (wallet first): `amount` is the wallet part held on the wallet (0: no hold,
 * holdId ''), `gatewayAmount` the rest, charged at the gateway by Charge. A state written before the split
 * has no gatewayAmount: its hold was the whole amount, so its gateway part is 0 (gatewayPartOf); Charge
 * still asks the gateway for an earlier charge of the old model and refuses one (chargePayment).
 */
export const ReserveOutput = deferred(() =>
  z.object({
    holdId: z.string(),
    walletId: z.string(),
    amount: z.int().check(z.nonnegative()),
    gatewayAmount: z.optional(z.int().check(z.nonnegative())),
    currency: CurrencyCode,
    expiresAt: z.string(),
  }),
);
export type ReserveOutput = z.infer<typeof ReserveOutput>;

/** The part of the payment the gateway charges: what the wallet part left (0 for a state from before the split). */
export const gatewayPartOf = (input: {
  readonly payment: { readonly amount: { readonly value: number } };
  readonly reserve: ReserveOutput;
}): number => input.reserve.gatewayAmount ?? input.payment.amount.value - input.reserve.amount;

/** `not_needed`: the wallet covered the whole amount, the gateway was not called (chargeId ''). */
export const ChargeOutput = deferred(() =>
  z.object({
    chargeId: z.string(),
    status: z.enum(['succeeded', 'processing', 'not_needed']),
    created: z.string(),
    /** The gateway part charged, in minor units (0 when not needed); absent in states from before the split. */
    amount: z.optional(z.int().check(z.nonnegative())),
    /** True when a charge made by an earlier attempt was found at the gateway instead of charging again. */
    recovered: z.optional(z.boolean()),
  }),
);
export type ChargeOutput = z.infer<typeof ChargeOutput>;

/** captured: what the merchant was credited in all (wallet part + card part); cardCaptured: the card part. */
export const SettleOutput = deferred(() =>
  z.object({
    captured: z.int(),
    released: z.int(),
    postedAt: z.string(),
    cardCaptured: z.optional(z.int()),
  }),
);
export type SettleOutput = z.infer<typeof SettleOutput>;

export const NotifyOutput = deferred(() => z.object({ messageId: z.string() }));
export type NotifyOutput = z.infer<typeof NotifyOutput>;

export const RefundOutput = deferred(() =>
  z.object({
    refundId: z.optional(z.string()),
    status: z.enum(['succeeded', 'pending', 'nothing_charged']),
    ledgerReversed: z.boolean(),
  }),
);
export type RefundOutput = z.infer<typeof RefundOutput>;

export const ReleaseOutput = deferred(() => z.object({ outcome: z.string(), releasedAmount: z.int() }));
export type ReleaseOutput = z.infer<typeof ReleaseOutput>;

/** The `{Error, Cause}` object a Catch writes at its ResultPath. */
export const CaughtError = deferred(() => z.object({ Error: z.string(), Cause: z.optional(z.string()) }));
export type CaughtError = z.infer<typeof CaughtError>;

/**
 * A forward step's answer as the execution state holds it: with the timeline entry of the attempt that
 * answered (`timeline`), for a later step to write (core/saga/timeline.ts). The answers above leave it
 * out: two attempts of a step answer the same, each with its own entry.
 */
const Carried = { timeline: z.optional(CarriedTimeline) };
const ReserveState = deferred(() => z.extend(ReserveOutput, Carried));
const ChargeState = deferred(() => z.extend(ChargeOutput, Carried));
const SettleState = deferred(() => z.extend(SettleOutput, Carried));
const NotifyState = deferred(() => z.extend(NotifyOutput, Carried));

const Base = { payment: PaymentRequestedV1, executionArn: ExecutionArn };

export const ReserveInput = deferred(() => z.object(Base));
export const ChargeInput = deferred(() => z.object({ ...Base, reserve: ReserveState }));
export const SettleInput = deferred(() => z.object({ ...Base, reserve: ReserveState, charge: ChargeState }));
export const NotifyInput = deferred(() => z.object({ ...Base, charge: ChargeState, settle: SettleState }));
/**
 * From Settle's Catch the charge is known; from Charge's Catch it is not (the gateway is asked). The ASL
 * passes the whole state as `saga` because a JSONPath Parameter cannot name a path that may be absent.
 */
export const RefundChargeInput = deferred(() =>
  z.object({
    ...Base,
    reserve: ReserveState,
    error: CaughtError,
    saga: z.object({ charge: z.optional(ChargeState) }),
  }),
);
export const ReleaseFundsInput = deferred(() =>
  z.object({ ...Base, reserve: ReserveState, error: CaughtError }),
);

export type ReserveInput = z.infer<typeof ReserveInput>;
export type ChargeInput = z.infer<typeof ChargeInput>;
export type SettleInput = z.infer<typeof SettleInput>;
export type NotifyInput = z.infer<typeof NotifyInput>;
export type RefundChargeInput = z.infer<typeof RefundChargeInput>;
export type ReleaseFundsInput = z.infer<typeof ReleaseFundsInput>;

/** The whole execution state, as RecordOutcome sees it at the end of any path. */
export const SagaState = deferred(() =>
  z.object({
    payment: PaymentRequestedV1,
    reserve: z.optional(ReserveState),
    charge: z.optional(ChargeState),
    settle: z.optional(SettleState),
    notify: z.optional(NotifyState),
    refund: z.optional(RefundOutput),
    release: z.optional(ReleaseOutput),
    error: z.optional(CaughtError),
    notifyError: z.optional(CaughtError),
    compensationError: z.optional(CaughtError),
  }),
);
export type SagaState = z.infer<typeof SagaState>;

export const RecordOutcomeInput = deferred(() =>
  z.object({
    outcome: z.enum(['succeeded', 'failed', 'needs_attention']),
    saga: SagaState,
    executionArn: ExecutionArn,
  }),
);
export type RecordOutcomeInput = z.infer<typeof RecordOutcomeInput>;
