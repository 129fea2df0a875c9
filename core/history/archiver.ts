import { ArchiveRecordExistsError, type HistoryArchive } from '../payments/archive';
import type { PaymentRecord } from '../payments/records';
import { TERMINAL_REFUND_STATUSES } from '../refunds/record';
import { type TimelineDeps, timelineWithPayment } from './source';
import { type ExecutionStatusChangeEvent, isTerminalStatus } from './status-event';
import type { SagaTimeline } from './timeline';

/** The history read back lags the status change event; retrying later finds it complete. */
export class HistoryNotFinalError extends Error {
  override readonly name = 'HistoryNotFinalError';
}

export type ArchiveOutcome =
  | { readonly archived: true; readonly archiveId: string; readonly paymentId: string }
  | {
      readonly archived: false;
      readonly paymentId: string;
      readonly reason:
        | 'not_terminal'
        | 'execution_gone'
        | 'still_running'
        | 'already_archived'
        | 'kept_earlier';
      readonly archiveId?: string;
      readonly detail?: string;
    };

/**
 * The archive keeps the refunds that ended before it was written (a refund still running would make a
 * redelivered event's timeline differ); later ones are read live with the archive (withRefundsNow).
 */
function endedRefundsOnly(timeline: SagaTimeline): SagaTimeline {
  if (!timeline.refunds) return timeline;
  const { refunds, ...rest } = timeline;
  const ended = refunds.filter((r) => TERMINAL_REFUND_STATUSES.includes(r.status));
  return ended.length > 0 ? { ...rest, refunds: ended } : rest;
}

/** Payment statuses nothing changes any more: their items may expire from the table once archived. */
const SETTLED_STATUSES: ReadonlySet<PaymentRecord['status']> = new Set(['SUCCEEDED', 'FAILED']);

export interface ArchiverDeps extends TimelineDeps {
  readonly archive: Pick<HistoryArchive, 'put' | 'expirePaymentItems'>;
  /** Days the payment's items stay in the payments table once archived (its TTL); none: kept forever. */
  readonly paymentRecordTtlDays?: number;
}

/**
 * Archives the timeline of a saga that reached a terminal status (to S3, with
 * the payment record as it is then), and lets the payment's items expire from
 * the payments table once the payment is settled (SUCCEEDED or FAILED: a
 * payment that needs attention, or a stopped saga that may be redriven, keeps
 * them). Safe to run again for the same event (EventBridge delivers at least
 * once): the same timeline is already there; a different one (the ledger
 * changed since, e.g. an expiry sweep) leaves the first record as it is,
 * since archives are never rewritten, and says so.
 */
export async function archiveExecution(
  deps: ArchiverDeps,
  event: ExecutionStatusChangeEvent,
): Promise<ArchiveOutcome> {
  const { executionArn, name: paymentId, status } = event.detail;
  if (!isTerminalStatus(status)) return { archived: false, paymentId, reason: 'not_terminal' };
  const read = await timelineWithPayment(deps, executionArn, paymentId);
  if (!read) return { archived: false, paymentId, reason: 'execution_gone' };
  const { timeline, payment } = read;
  if (timeline.outcome.executionStatus === 'RUNNING') {
    // Redriven since the event was sent: the run that ends next is archived by its own event.
    if (timeline.redriveCount > (event.detail.redriveCount ?? 0)) {
      return { archived: false, paymentId, reason: 'still_running' };
    }
    // The event says this run ended but the history does not show it yet: let EventBridge retry.
    throw new HistoryNotFinalError(
      `execution ${executionArn} is ${status} but its history does not show the end of run ${timeline.redriveCount} yet; retry`,
    );
  }
  try {
    const { archiveId, written } = await deps.archive.put(endedRefundsOnly(timeline), payment);
    if (deps.paymentRecordTtlDays !== undefined && payment && SETTLED_STATUSES.has(payment.status)) {
      await deps.archive.expirePaymentItems(paymentId, deps.paymentRecordTtlDays);
    }
    return written
      ? { archived: true, archiveId, paymentId }
      : { archived: false, paymentId, archiveId, reason: 'already_archived' };
  } catch (error) {
    if (!(error instanceof ArchiveRecordExistsError)) throw error;
    return { archived: false, paymentId, reason: 'kept_earlier', detail: error.message };
  }
}
