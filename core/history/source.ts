import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '../aws/sfn';
import type { JournalEntry } from '../ledger/model';
import type { LedgerReader } from '../ledger/reader';
import type { PaymentRecord } from '../payments/records';
import type { PaymentRefundStore } from '../payments/refund-store';
import type { PaymentsRepository } from '../payments/repository';
import type { RefundRecord } from '../refunds/record';
import { buildTimeline, journalView } from './build';
import { refundView, withLiveRefunds } from './refunds';
import type { RefundView, SagaTimeline } from './timeline';

export type StepFunctionsClient = Pick<SFNClient, 'send'>;

const isMissingExecution = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ExecutionDoesNotExist';

/**
 * Every history event of an execution, page by page (with execution data: the
 * timeline reads step outputs), or undefined when Step Functions no longer has
 * the execution (past its 90-day retention, or never started).
 */
export async function readExecutionHistory(
  sfn: StepFunctionsClient,
  executionArn: string,
): Promise<HistoryEvent[] | undefined> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 1000,
          includeExecutionData: true,
          nextToken,
        }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if (isMissingExecution(error)) return undefined;
    throw error;
  }
  return events;
}

export interface TimelineDeps {
  readonly sfn: StepFunctionsClient;
  readonly payments: Pick<PaymentsRepository, 'get'>;
  readonly ledger: Pick<LedgerReader, 'listPaymentEntries'>;
  /** The payment's refund records (the refund saga); without them the timeline lists no refunds. */
  readonly refunds?: Pick<PaymentRefundStore, 'list'>;
}

/** The timeline of a payment's saga from the live execution history; undefined when the execution is gone. */
export async function timelineOfExecution(
  deps: TimelineDeps,
  executionArn: string,
  paymentId: string,
): Promise<SagaTimeline | undefined> {
  return (await timelineWithPayment(deps, executionArn, paymentId))?.timeline;
}

/**
 * The timeline, with the payment record it was built from (the archiver stores that record beside it:
 * one read, and the record and the timeline agree); undefined when the execution is gone.
 */
export async function timelineWithPayment(
  deps: TimelineDeps,
  executionArn: string,
  paymentId: string,
): Promise<{ timeline: SagaTimeline; payment: PaymentRecord | undefined } | undefined> {
  const [events, payment, records] = await Promise.all([
    readExecutionHistory(deps.sfn, executionArn),
    deps.payments.get(paymentId),
    deps.refunds?.list(paymentId) ?? [],
  ]);
  if (!events) return undefined;
  const journal = await deps.ledger.listPaymentEntries(paymentId, refundIdsOf(records, payment));
  const timeline = buildTimeline({ executionArn, events, ...(payment && { payment }), journal });
  const refunds = await refundViewsOf(deps, records, payment, journal);
  return { timeline: refunds.length > 0 ? { ...timeline, refunds } : timeline, payment };
}

/** The refundIds of a payment: its refund records' and its item's reservations'. */
const refundIdsOf = (records: readonly RefundRecord[], payment: PaymentRecord | undefined): string[] => [
  ...new Set([...records.map((r) => r.refundId), ...Object.keys(payment?.refunds ?? {})]),
];

/** Each refund's view, in request order, with its saga's steps when Step Functions still has them. */
async function refundViewsOf(
  deps: Pick<TimelineDeps, 'sfn'>,
  records: readonly RefundRecord[],
  payment: PaymentRecord | undefined,
  journal: readonly JournalEntry[],
): Promise<RefundView[]> {
  const ordered = [...records].sort(
    (a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.refundId.localeCompare(b.refundId),
  );
  return Promise.all(
    ordered.map(async (record) => {
      const events = await readExecutionHistory(deps.sfn, record.executionArn);
      return refundView({ record, ...(payment && { payment }), journal, ...(events && { events }) });
    }),
  );
}

/**
 * An archived timeline with the payment's refunds as they are now (refunds after the archive was
 * written, or that ended since): the refund records, reservations and refund_part entries still in
 * the tables. Without refund records (no store, or none left), the archive as it is.
 */
export async function withRefundsNow(deps: TimelineDeps, archived: SagaTimeline): Promise<SagaTimeline> {
  const { paymentId } = archived;
  const [payment, records] = await Promise.all([
    deps.payments.get(paymentId),
    deps.refunds?.list(paymentId) ?? [],
  ]);
  if (records.length === 0) return archived;
  const journal = await deps.ledger.listPaymentEntries(paymentId, refundIdsOf(records, payment));
  const live = await refundViewsOf(deps, records, payment, journal);
  return withLiveRefunds(archived, live, journal, journalView);
}
