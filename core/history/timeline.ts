import '../config/zod-locale';
import * as z from 'zod/mini';
import { deferred } from '../config/deferred-schema';
import { PAYMENT_STATUSES } from '../payments/records';
import { REFUND_RESERVATION_STATES, REFUND_STATUSES } from '../refunds/record';

/**
 * The saga timeline of one payment: what finance reads instead of raw Step
 * Functions JSON, and (unchanged) the body of the immutable history archive
 * record. Built only from data fixed when the saga ended, so building it twice
 * from the same execution gives the same record (the archiver relies on it).
 * Amounts carry minor units and their major-unit rendering per currency exponent.
 */

export const TIMELINE_SCHEMA_VERSION = 1;

export const AmountView = deferred(() =>
  z.object({
    /** Integer minor units. */
    minor: z.int(),
    currency: z.string(),
    /** The same amount in major units with the currency's decimals, e.g. "12.50" (string: no floats). */
    major: z.string(),
  }),
);
export type AmountView = z.infer<typeof AmountView>;

export const AttemptView = deferred(() =>
  z.object({
    attempt: z.int().check(z.positive()),
    scheduledAt: z.string(),
    endedAt: z.optional(z.string()),
    durationMs: z.optional(z.int().check(z.nonnegative())),
    outcome: z.enum(['succeeded', 'failed', 'timed_out', 'running']),
    /** The ASL error name (the thrown error's `name`), e.g. GatewayUnavailableError. */
    error: z.optional(z.string()),
    /** The error's message (Lambda's errorMessage out of the Cause JSON). */
    cause: z.optional(z.string()),
  }),
);
export type AttemptView = z.infer<typeof AttemptView>;

/** What a step produced, summarised; only ids, statuses and amounts (never card data). */
export const StepResultView = deferred(() =>
  z.object({
    holdId: z.optional(z.string()),
    holdExpiresAt: z.optional(z.string()),
    held: z.optional(AmountView),
    chargeId: z.optional(z.string()),
    chargeStatus: z.optional(z.string()),
    /** The charge was found at the gateway from an earlier attempt instead of being made again. */
    recovered: z.optional(z.boolean()),
    captured: z.optional(AmountView),
    released: z.optional(AmountView),
    refundId: z.optional(z.string()),
    refundStatus: z.optional(z.string()),
    ledgerReversed: z.optional(z.boolean()),
    releaseOutcome: z.optional(z.string()),
    messageId: z.optional(z.string()),
    outcomeStatus: z.optional(z.string()),
    reasonCode: z.optional(z.string()),
    failedState: z.optional(z.string()),
  }),
);
export type StepResultView = z.infer<typeof StepResultView>;

export const JournalLineView = deferred(() => z.object({ account: z.string(), amount: AmountView }));

export const JournalEntryView = deferred(() =>
  z.object({
    entryId: z.string(),
    operation: z.string(),
    effectiveAt: z.string(),
    currency: z.string(),
    lines: z.array(JournalLineView),
    /** Lines sum to zero, as every entry must. */
    balanced: z.boolean(),
  }),
);
export type JournalEntryView = z.infer<typeof JournalEntryView>;

export const STEP_KINDS = ['step', 'compensation', 'outcome', 'publish', 'dead_letter', 'end'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const StepView = deferred(() =>
  z.object({
    state: z.string(),
    kind: z.enum(STEP_KINDS),
    /** 0 for the first run, n for the run started by the n-th redrive. */
    run: z.int().check(z.nonnegative()),
    enteredAt: z.string(),
    exitedAt: z.optional(z.string()),
    durationMs: z.optional(z.int().check(z.nonnegative())),
    /** caught: failed for good and handed to a Catch (compensation follows); failed: the execution stopped here. */
    status: z.enum(['succeeded', 'caught', 'failed', 'running']),
    attempts: z.array(AttemptView),
    result: z.optional(StepResultView),
    /** The journal entries this step wrote (reserve, settle, release, refund). */
    journal: z.array(z.string()),
  }),
);
export type StepView = z.infer<typeof StepView>;

export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export const OutcomeView = deferred(() =>
  z.object({
    /** succeeded | failed (compensated or nothing to undo) | needs_attention (a compensation failed) |
     * stopped (the execution failed at a step after its retries: hold kept, redrivable) | running. */
    summary: z.enum(['succeeded', 'failed', 'needs_attention', 'stopped', 'running']),
    executionStatus: z.enum(EXECUTION_STATUSES),
    paymentStatus: z.optional(z.enum(PAYMENT_STATUSES)),
    reasonCode: z.optional(z.string()),
    reason: z.optional(z.string()),
    failedState: z.optional(z.string()),
    compensations: z.array(z.string()),
    error: z.optional(z.string()),
    cause: z.optional(z.string()),
  }),
);
export type OutcomeView = z.infer<typeof OutcomeView>;

/** The refund saga's run of one refund, when Step Functions (or the archive) still has it. */
export const RefundExecutionView = deferred(() =>
  z.object({
    executionArn: z.string(),
    status: z.enum(EXECUTION_STATUSES),
    startedAt: z.string(),
    stoppedAt: z.optional(z.string()),
    redriveCount: z.int().check(z.nonnegative()),
    steps: z.array(StepView),
  }),
);
export type RefundExecutionView = z.infer<typeof RefundExecutionView>;

/**
 * One refund after success (the refund saga, issue 16): the request, what Reserve reserved (the
 * payment item's reservation and its state), the gateway refund, the ledger reversal (refund_part
 * entry) and the outcome; its saga's steps when the execution is known.
 */
export const RefundView = deferred(() =>
  z.object({
    refundId: z.string(),
    status: z.enum(REFUND_STATUSES),
    requestedAt: z.string(),
    requestedBy: z.optional(z.string()),
    reason: z.string(),
    /** Asked for; absent: everything still refundable. */
    requested: z.optional(AmountView),
    amount: z.optional(AmountView),
    walletAmount: z.optional(AmountView),
    gatewayAmount: z.optional(AmountView),
    reservation: z.optional(z.enum(REFUND_RESERVATION_STATES)),
    gatewayRefundId: z.optional(z.string()),
    reversal: z.optional(z.object({ entryId: z.string(), effectiveAt: z.string() })),
    reasonCode: z.optional(z.string()),
    failureReason: z.optional(z.string()),
    failedState: z.optional(z.string()),
    terminalAt: z.optional(z.string()),
    executionArn: z.string(),
    execution: z.optional(RefundExecutionView),
  }),
);
export type RefundView = z.infer<typeof RefundView>;

export const PaymentView = deferred(() =>
  z.object({
    walletId: z.string(),
    merchantId: z.string(),
    amount: AmountView,
    requestedAt: z.string(),
    description: z.optional(z.string()),
  }),
);
export type PaymentView = z.infer<typeof PaymentView>;

export const SagaTimeline = deferred(() =>
  z.object({
    schemaVersion: z.literal(TIMELINE_SCHEMA_VERSION),
    paymentId: z.string(),
    executionArn: z.string(),
    executionName: z.string(),
    payment: z.optional(PaymentView),
    startedAt: z.string(),
    stoppedAt: z.optional(z.string()),
    durationMs: z.optional(z.int().check(z.nonnegative())),
    redriveCount: z.int().check(z.nonnegative()),
    steps: z.array(StepView),
    journal: z.array(JournalEntryView),
    outcome: OutcomeView,
    /** Where the money went, from the journal: held, captured by the merchant, refunded, released. */
    money: z.optional(
      z.object({
        held: AmountView,
        captured: AmountView,
        refunded: AmountView,
        released: AmountView,
        /** The hold still open now (held and neither captured, released nor expired); absent in older archives. */
        open: z.optional(AmountView),
      }),
    ),
    /** Refunds after success, in request order; absent in archives written before them. */
    refunds: z.optional(z.array(RefundView)),
  }),
);
export type SagaTimeline = z.infer<typeof SagaTimeline>;
