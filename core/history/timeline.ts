import * as z from 'zod';
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

export const AmountView = z.object({
  /** Integer minor units. */
  minor: z.int(),
  currency: z.string(),
  /** The same amount in major units with the currency's decimals, e.g. "12.50" (string: no floats). */
  major: z.string(),
});
export type AmountView = z.infer<typeof AmountView>;

export const AttemptView = z.object({
  attempt: z.int().positive(),
  scheduledAt: z.string(),
  endedAt: z.string().optional(),
  durationMs: z.int().nonnegative().optional(),
  outcome: z.enum(['succeeded', 'failed', 'timed_out', 'running']),
  /** The ASL error name (the thrown error's `name`), e.g. GatewayUnavailableError. */
  error: z.string().optional(),
  /** The error's message (Lambda's errorMessage out of the Cause JSON). */
  cause: z.string().optional(),
});
export type AttemptView = z.infer<typeof AttemptView>;

/** What a step produced, summarised; only ids, statuses and amounts (never card data). */
export const StepResultView = z.object({
  holdId: z.string().optional(),
  holdExpiresAt: z.string().optional(),
  held: AmountView.optional(),
  chargeId: z.string().optional(),
  chargeStatus: z.string().optional(),
  /** The charge was found at the gateway from an earlier attempt instead of being made again. */
  recovered: z.boolean().optional(),
  captured: AmountView.optional(),
  released: AmountView.optional(),
  refundId: z.string().optional(),
  refundStatus: z.string().optional(),
  ledgerReversed: z.boolean().optional(),
  releaseOutcome: z.string().optional(),
  messageId: z.string().optional(),
  outcomeStatus: z.string().optional(),
  reasonCode: z.string().optional(),
  failedState: z.string().optional(),
});
export type StepResultView = z.infer<typeof StepResultView>;

export const JournalLineView = z.object({ account: z.string(), amount: AmountView });

export const JournalEntryView = z.object({
  entryId: z.string(),
  operation: z.string(),
  effectiveAt: z.string(),
  currency: z.string(),
  lines: z.array(JournalLineView),
  /** Lines sum to zero, as every entry must. */
  balanced: z.boolean(),
});
export type JournalEntryView = z.infer<typeof JournalEntryView>;

export const STEP_KINDS = ['step', 'compensation', 'outcome', 'publish', 'dead_letter', 'end'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const StepView = z.object({
  state: z.string(),
  kind: z.enum(STEP_KINDS),
  /** 0 for the first run, n for the run started by the n-th redrive. */
  run: z.int().nonnegative(),
  enteredAt: z.string(),
  exitedAt: z.string().optional(),
  durationMs: z.int().nonnegative().optional(),
  /** caught: failed for good and handed to a Catch (compensation follows); failed: the execution stopped here. */
  status: z.enum(['succeeded', 'caught', 'failed', 'running']),
  attempts: z.array(AttemptView),
  result: StepResultView.optional(),
  /** The journal entries this step wrote (reserve, settle, release, refund). */
  journal: z.array(z.string()),
});
export type StepView = z.infer<typeof StepView>;

export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export const OutcomeView = z.object({
  /** succeeded | failed (compensated or nothing to undo) | needs_attention (a compensation failed) |
   * stopped (the execution failed at a step after its retries: hold kept, redrivable) | running. */
  summary: z.enum(['succeeded', 'failed', 'needs_attention', 'stopped', 'running']),
  executionStatus: z.enum(EXECUTION_STATUSES),
  paymentStatus: z.enum(PAYMENT_STATUSES).optional(),
  reasonCode: z.string().optional(),
  reason: z.string().optional(),
  failedState: z.string().optional(),
  compensations: z.array(z.string()),
  error: z.string().optional(),
  cause: z.string().optional(),
});
export type OutcomeView = z.infer<typeof OutcomeView>;

/** The refund saga's run of one refund, when Step Functions (or the archive) still has it. */
export const RefundExecutionView = z.object({
  executionArn: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  startedAt: z.string(),
  stoppedAt: z.string().optional(),
  redriveCount: z.int().nonnegative(),
  steps: z.array(StepView),
});
export type RefundExecutionView = z.infer<typeof RefundExecutionView>;

/**
 * One refund after success (the refund saga, issue 16): the request, what Reserve reserved (the
 * payment item's reservation and its state), the gateway refund, the ledger reversal (refund_part
 * entry) and the outcome; its saga's steps when the execution is known.
 */
export const RefundView = z.object({
  refundId: z.string(),
  status: z.enum(REFUND_STATUSES),
  requestedAt: z.string(),
  requestedBy: z.string().optional(),
  reason: z.string(),
  /** Asked for; absent: everything still refundable. */
  requested: AmountView.optional(),
  amount: AmountView.optional(),
  walletAmount: AmountView.optional(),
  gatewayAmount: AmountView.optional(),
  reservation: z.enum(REFUND_RESERVATION_STATES).optional(),
  gatewayRefundId: z.string().optional(),
  reversal: z.object({ entryId: z.string(), effectiveAt: z.string() }).optional(),
  reasonCode: z.string().optional(),
  failureReason: z.string().optional(),
  failedState: z.string().optional(),
  terminalAt: z.string().optional(),
  executionArn: z.string(),
  execution: RefundExecutionView.optional(),
});
export type RefundView = z.infer<typeof RefundView>;

export const PaymentView = z.object({
  walletId: z.string(),
  merchantId: z.string(),
  amount: AmountView,
  requestedAt: z.string(),
  description: z.string().optional(),
});
export type PaymentView = z.infer<typeof PaymentView>;

export const SagaTimeline = z.object({
  schemaVersion: z.literal(TIMELINE_SCHEMA_VERSION),
  paymentId: z.string(),
  executionArn: z.string(),
  executionName: z.string(),
  payment: PaymentView.optional(),
  startedAt: z.string(),
  stoppedAt: z.string().optional(),
  durationMs: z.int().nonnegative().optional(),
  redriveCount: z.int().nonnegative(),
  steps: z.array(StepView),
  journal: z.array(JournalEntryView),
  outcome: OutcomeView,
  /** Where the money went, from the journal: held, captured by the merchant, refunded, released. */
  money: z
    .object({
      held: AmountView,
      captured: AmountView,
      refunded: AmountView,
      released: AmountView,
      /** The hold still open now (held and neither captured, released nor expired); absent in older archives. */
      open: AmountView.optional(),
    })
    .optional(),
  /** Refunds after success, in request order; absent in archives written before them. */
  refunds: z.array(RefundView).optional(),
});
export type SagaTimeline = z.infer<typeof SagaTimeline>;
