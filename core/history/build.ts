import { GATEWAY_ACCOUNT } from '../ledger/accounts';
import type { JournalEntry } from '../ledger/model';
import type { PaymentRecord } from '../payments/records';
import { causeMessage } from '../saga/outcome';
import { amountView } from './amounts';
import {
  detailsOf,
  isoOf,
  jsonField,
  millisBetween,
  roleOf,
  type SagaHistoryEvent,
  stringField,
} from './events';
import { kindOf, type RecordedOutcome, summariseResult } from './results';
import {
  type AttemptView,
  type JournalEntryView,
  type OutcomeView,
  type PaymentView,
  type SagaTimeline,
  type StepView,
  TIMELINE_SCHEMA_VERSION,
} from './timeline';

export interface TimelineSources {
  readonly executionArn: string;
  /** Every GetExecutionHistory event, all pages, with execution data (outputs). */
  readonly events: readonly SagaHistoryEvent[];
  /** The payments table's record, when there is one. */
  readonly payment?: PaymentRecord;
  /** The ledger journal entries of the payment (LedgerReader.listPaymentEntries). */
  readonly journal?: readonly JournalEntry[];
}

/** Which step writes which journal entry. `expire` is the sweep's, no step's. */
const STEP_OF_OPERATION: Readonly<Record<string, string>> = {
  reserve: 'Reserve',
  settle: 'Settle',
  settle_card: 'Settle',
  release: 'ReleaseFunds',
  refund: 'RefundCharge',
  refund_card: 'RefundCharge',
};
const OPERATION_ORDER = [
  'deposit',
  'reserve',
  'settle',
  'settle_card',
  'release',
  'expire',
  'refund',
  'refund_card',
  'refund_part',
];

type MutableStep = { -readonly [K in keyof StepView]: StepView[K] } & { attempts: AttemptView[] };

interface PaymentFromInput {
  readonly paymentId?: string;
  readonly walletId?: string;
  readonly merchantId?: string;
  readonly amount?: { readonly value?: number; readonly currency?: string };
  readonly requestedAt?: string;
  readonly description?: string;
}

function paymentFromInput(input: unknown): PaymentFromInput | undefined {
  const payment = (input as { payment?: unknown } | undefined)?.payment;
  return payment && typeof payment === 'object' ? (payment as PaymentFromInput) : undefined;
}

function paymentView(
  record: PaymentRecord | undefined,
  input: PaymentFromInput | undefined,
): PaymentView | undefined {
  if (record) {
    return {
      walletId: record.walletId,
      merchantId: record.merchantId,
      amount: amountView(record.amount, record.currency),
      requestedAt: record.requestedAt,
      ...(record.description !== undefined && { description: record.description }),
    };
  }
  const value = input?.amount?.value;
  const currency = input?.amount?.currency;
  if (!input?.walletId || !input.merchantId || typeof value !== 'number' || !currency) return undefined;
  return {
    walletId: input.walletId,
    merchantId: input.merchantId,
    amount: amountView(value, currency),
    requestedAt: input.requestedAt ?? '',
    ...(input.description !== undefined && { description: input.description }),
  };
}

export function journalView(entry: JournalEntry): JournalEntryView {
  return {
    entryId: entry.entryId,
    operation: entry.operation,
    effectiveAt: entry.effectiveAt,
    currency: entry.currency,
    lines: entry.lines.map((line) => ({
      account: line.account,
      amount: amountView(line.amount, entry.currency),
    })),
    balanced: entry.lines.reduce((sum, line) => sum + line.amount, 0) === 0,
  };
}

function sortedJournal(entries: readonly JournalEntry[]): JournalEntry[] {
  return [...entries].sort(
    (a, b) =>
      OPERATION_ORDER.indexOf(a.operation) - OPERATION_ORDER.indexOf(b.operation) ||
      a.effectiveAt.localeCompare(b.effectiveAt),
  );
}

/** Where the money went, from the journal (the ledger is the book of record, not the saga's outputs). */
function moneyOf(entries: readonly JournalEntry[], currency: string): SagaTimeline['money'] {
  let held = 0;
  let captured = 0;
  let refunded = 0;
  let released = 0;
  // The payment's hold still open: what its entries left on the holds account (placed minus closed).
  let open = 0;
  for (const entry of entries) {
    const positive = (prefix: string) =>
      entry.lines
        .filter((l) => l.account.startsWith(prefix) && l.amount > 0)
        .reduce((s, l) => s + l.amount, 0);
    open += entry.lines.filter((l) => l.account.startsWith('holds:')).reduce((s, l) => s + l.amount, 0);
    if (entry.operation === 'reserve') held += positive('holds:');
    // Wallet first: the merchant is credited with the wallet part (settle) and the card part (settle_card);
    // a reversal gives the wallet part back to the wallet (refund) and the card part to the gateway (refund_card).
    if (entry.operation === 'settle' || entry.operation === 'settle_card') captured += positive('merchant:');
    if (entry.operation === 'refund') refunded += positive('wallet:');
    if (entry.operation === 'refund_card') refunded += positive(GATEWAY_ACCOUNT);
    // A refund saga's reversal (refund_part): its wallet part and its card part, back to each source.
    if (entry.operation === 'refund_part') refunded += positive('wallet:') + positive(GATEWAY_ACCOUNT);
    if (entry.operation === 'release' || entry.operation === 'expire') released += positive('wallet:');
  }
  return {
    held: amountView(held, currency),
    captured: amountView(captured, currency),
    refunded: amountView(refunded, currency),
    released: amountView(released, currency),
    open: amountView(open, currency),
  };
}

/** How a step ended when no StateExited says so: by its last attempt. */
function closeStep(step: MutableStep, at: string, executionEnded: boolean): void {
  if (step.status !== 'running') return;
  const last = step.attempts.at(-1);
  if (step.kind === 'end') {
    step.status = 'succeeded';
  } else if (last && last.outcome !== 'succeeded' && last.outcome !== 'running') {
    step.status = executionEnded ? 'failed' : 'caught';
  } else if (executionEnded && last?.outcome === 'running') {
    step.status = 'failed';
  } else if (!executionEnded) {
    step.status = 'succeeded';
  } else {
    return;
  }
  step.exitedAt ??= at;
  step.durationMs ??= millisBetween(step.enteredAt, at);
}

/**
 * Builds the timeline of one saga from its Step Functions history, the payment
 * record and the payment's journal entries. Pure: same inputs, same timeline.
 */
export function buildTimeline(sources: TimelineSources): SagaTimeline {
  const events = [...sources.events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const executionName = sources.executionArn.split(':').at(-1) ?? sources.executionArn;
  const steps: MutableStep[] = [];
  let current: MutableStep | undefined;
  let input: PaymentFromInput | undefined;
  let startedAt: string | undefined;
  let stoppedAt: string | undefined;
  let executionStatus: OutcomeView['executionStatus'] = 'RUNNING';
  let executionError: { error?: string; cause?: string } = {};
  let run = 0;
  let recorded: RecordedOutcome | undefined;
  const currency = sources.payment?.currency;

  for (const event of events) {
    const at = isoOf(event.timestamp);
    const details = detailsOf(event);
    const role = roleOf(event);
    switch (role.role) {
      case 'executionStarted':
        startedAt = at;
        input = paymentFromInput(jsonField(details, 'input'));
        break;
      case 'executionRedriven':
        run += 1;
        executionStatus = 'RUNNING';
        stoppedAt = undefined;
        executionError = {};
        break;
      case 'executionEnded': {
        if (current) closeStep(current, at, true);
        current = undefined;
        executionStatus = role.status;
        stoppedAt = at;
        const error = stringField(details, 'error');
        const cause = stringField(details, 'cause');
        executionError = {
          ...(error && { error }),
          ...(cause && { cause: causeMessage({ Error: error ?? '', Cause: cause }) }),
        };
        break;
      }
      case 'stateEntered': {
        if (current) closeStep(current, at, false);
        const state = stringField(details, 'name') ?? '(unnamed)';
        current = {
          state,
          kind: kindOf(state, role.stateType),
          run,
          enteredAt: at,
          status: 'running',
          attempts: [],
          journal: [],
        };
        steps.push(current);
        break;
      }
      case 'attemptScheduled':
        current?.attempts.push({
          attempt: (current.attempts.length ?? 0) + 1,
          scheduledAt: at,
          outcome: 'running',
        });
        break;
      case 'attemptSucceeded':
      case 'attemptFailed': {
        const attempt = current?.attempts.at(-1);
        if (!current || !attempt) break;
        attempt.endedAt = at;
        attempt.durationMs = millisBetween(attempt.scheduledAt, at);
        if (role.role === 'attemptSucceeded') {
          attempt.outcome = 'succeeded';
          const summary = summariseResult(
            current.state,
            current.kind,
            jsonField(details, 'output'),
            currency ?? input?.amount?.currency,
          );
          if (summary.result && Object.keys(summary.result).length > 0) current.result = summary.result;
          if (summary.recorded) recorded = summary.recorded;
        } else {
          attempt.outcome = role.timedOut ? 'timed_out' : 'failed';
          const error = stringField(details, 'error');
          const cause = stringField(details, 'cause');
          if (error) attempt.error = error;
          if (cause) attempt.cause = causeMessage({ Error: error ?? '', Cause: cause });
        }
        break;
      }
      case 'stateExited':
        if (current) {
          current.exitedAt = at;
          current.durationMs = millisBetween(current.enteredAt, at);
          const last = current.attempts.at(-1);
          current.status = !last || last.outcome === 'succeeded' ? 'succeeded' : 'caught';
          current = undefined;
        }
        break;
      default:
        break;
    }
  }

  const journalEntries = sortedJournal(sources.journal ?? []);
  for (const entry of journalEntries) {
    const state = STEP_OF_OPERATION[entry.operation];
    const step =
      [...steps].reverse().find((s) => s.state === state && s.status === 'succeeded') ??
      [...steps].reverse().find((s) => s.state === state);
    step?.journal.push(entry.entryId);
  }

  const payment = paymentView(sources.payment, input);
  const paymentId = sources.payment?.paymentId ?? input?.paymentId ?? executionName;
  const outcome = outcomeOf(steps, executionStatus, executionError, recorded, sources.payment);
  const began = startedAt ?? steps[0]?.enteredAt ?? isoOf(undefined);
  return {
    schemaVersion: TIMELINE_SCHEMA_VERSION,
    paymentId,
    executionArn: sources.executionArn,
    executionName,
    ...(payment && { payment }),
    startedAt: began,
    ...(stoppedAt && { stoppedAt, durationMs: millisBetween(began, stoppedAt) }),
    redriveCount: run,
    steps,
    journal: journalEntries.map(journalView),
    outcome,
    ...(payment && { money: moneyOf(journalEntries, payment.amount.currency) }),
  };
}

const SUMMARY_OF_RECORDED: Readonly<Record<string, OutcomeView['summary']>> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  NEEDS_ATTENTION: 'needs_attention',
};

function outcomeOf(
  steps: readonly MutableStep[],
  executionStatus: OutcomeView['executionStatus'],
  executionError: { error?: string; cause?: string },
  recorded: RecordedOutcome | undefined,
  payment: PaymentRecord | undefined,
): OutcomeView {
  const compensations = steps
    .filter((s) => s.kind === 'compensation' && s.status === 'succeeded')
    .map((s) => s.state)
    .filter((state, i, all) => all.indexOf(state) === i);
  const fromRecord = recorded?.status ? SUMMARY_OF_RECORDED[recorded.status] : undefined;
  const summary: OutcomeView['summary'] =
    executionStatus === 'RUNNING'
      ? 'running'
      : (fromRecord ?? (executionStatus === 'SUCCEEDED' ? 'succeeded' : 'stopped'));
  const stoppedAt = [...steps].reverse().find((s) => s.status === 'failed')?.state;
  const failedState =
    recorded?.failedState ?? payment?.failedState ?? (summary === 'stopped' ? stoppedAt : undefined);
  const reasonCode = payment?.reasonCode ?? recorded?.reasonCode;
  const reason =
    payment?.reason ?? recorded?.cause ?? (summary === 'stopped' ? executionError.cause : undefined);
  return {
    summary,
    executionStatus,
    ...(payment && { paymentStatus: payment.status }),
    ...(reasonCode && { reasonCode }),
    ...(reason && { reason }),
    ...(failedState && { failedState }),
    compensations,
    ...(executionError.error && { error: executionError.error }),
    ...(executionError.cause && { cause: executionError.cause }),
  };
}
