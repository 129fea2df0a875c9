import type { JournalEntry } from '../ledger/model';
import type { PaymentRecord } from '../payments/records';
import type { RefundRecord } from '../refunds/record';
import { amountView } from './amounts';
import { buildTimeline } from './build';
import type { SagaHistoryEvent } from './events';
import type { RefundExecutionView, RefundView, SagaTimeline } from './timeline';

/**
 * A payment's refunds after success in its timeline (issue 16): each refund record with its
 * reservation on the payment item, its refund_part entry and, when its execution is known, the
 * refund saga's steps (walked as the payment saga's are: times, attempts, status).
 */

/** The refund saga's compensation step (the reservation given back): marked as such in the steps. */
const REFUND_COMPENSATIONS = new Set(['ReleaseRefund']);

export const refundIdOfEntry = (entry: JournalEntry): string | undefined =>
  entry.refundId ?? entry.ref.split(':')[2];

/** The steps of a refund saga's execution, from its GetExecutionHistory events. */
export function refundExecutionView(
  executionArn: string,
  events: readonly SagaHistoryEvent[],
): RefundExecutionView {
  const run = buildTimeline({ executionArn, events });
  return {
    executionArn,
    status: run.outcome.executionStatus,
    startedAt: run.startedAt,
    ...(run.stoppedAt && { stoppedAt: run.stoppedAt }),
    redriveCount: run.redriveCount,
    steps: run.steps.map((step) =>
      REFUND_COMPENSATIONS.has(step.state) ? { ...step, kind: 'compensation' } : step,
    ),
  };
}

export interface RefundViewSources {
  readonly record: RefundRecord;
  readonly payment?: Pick<PaymentRecord, 'refunds'>;
  /** The payment's journal (refund_part entries included). */
  readonly journal: readonly JournalEntry[];
  /** The refund execution's history events; undefined when Step Functions no longer has it. */
  readonly events?: readonly SagaHistoryEvent[];
}

export function refundView({ record, payment, journal, events }: RefundViewSources): RefundView {
  const money = (minor: number | undefined) =>
    minor === undefined ? undefined : amountView(minor, record.currency);
  const reversal = journal.find(
    (entry) => entry.operation === 'refund_part' && refundIdOfEntry(entry) === record.refundId,
  );
  const reservation = payment?.refunds?.[record.refundId]?.state;
  const fields = {
    requested: money(record.requestedAmount),
    amount: money(record.amount),
    walletAmount: money(record.walletAmount),
    gatewayAmount: money(record.gatewayAmount),
  };
  return {
    refundId: record.refundId,
    status: record.status,
    requestedAt: record.requestedAt,
    ...(record.requestedBy && { requestedBy: record.requestedBy }),
    reason: record.reason,
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    ...(reservation && { reservation }),
    ...(record.gatewayRefundId && { gatewayRefundId: record.gatewayRefundId }),
    ...(reversal && { reversal: { entryId: reversal.entryId, effectiveAt: reversal.effectiveAt } }),
    ...(record.reasonCode && { reasonCode: record.reasonCode }),
    ...(record.failureReason && { failureReason: record.failureReason }),
    ...(record.failedState && { failedState: record.failedState }),
    ...(record.terminalAt && { terminalAt: record.terminalAt }),
    executionArn: record.executionArn,
    ...(events && { execution: refundExecutionView(record.executionArn, events) }),
  };
}

/**
 * An archived timeline with the refunds read live now: a live refund replaces its archived view (it
 * may have ended since), archived ones the table no longer holds stay; the refund_part entries not
 * in the archived journal are added to it and to the money refunded.
 */
export function withLiveRefunds(
  archived: SagaTimeline,
  live: readonly RefundView[],
  liveJournal: readonly JournalEntry[],
  journalView: (entry: JournalEntry) => SagaTimeline['journal'][number],
): SagaTimeline {
  if (live.length === 0) return archived;
  const liveIds = new Set(live.map((r) => r.refundId));
  const refunds = [...(archived.refunds ?? []).filter((r) => !liveIds.has(r.refundId)), ...live].sort(
    (a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.refundId.localeCompare(b.refundId),
  );
  const known = new Set(archived.journal.map((e) => e.entryId));
  const added = liveJournal.filter((e) => e.operation === 'refund_part' && !known.has(e.entryId));
  const addedMinor = added.reduce(
    (sum, e) => sum + e.lines.filter((l) => l.amount > 0).reduce((s, l) => s + l.amount, 0),
    0,
  );
  const money = archived.money && {
    ...archived.money,
    refunded: amountView(archived.money.refunded.minor + addedMinor, archived.money.refunded.currency),
  };
  return {
    ...archived,
    journal: [...archived.journal, ...added.map(journalView)],
    ...(money && { money }),
    refunds,
  };
}
