import { ArchiveRecordExistsError, type HistoryArchive } from '../payments/archive';
import { type TimelineDeps, timelineOfExecution } from './source';
import { type ExecutionStatusChangeEvent, isTerminalStatus } from './status-event';

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
 * Archives the timeline of a saga that reached a terminal status. Safe to run
 * again for the same event (EventBridge delivers at least once): the same
 * timeline is already there; a different one (the ledger changed since, e.g.
 * an expiry sweep) leaves the first record as it is, since archives are never
 * rewritten, and says so.
 */
export async function archiveExecution(
  deps: TimelineDeps & { readonly archive: Pick<HistoryArchive, 'put'> },
  event: ExecutionStatusChangeEvent,
): Promise<ArchiveOutcome> {
  const { executionArn, name: paymentId, status } = event.detail;
  if (!isTerminalStatus(status)) return { archived: false, paymentId, reason: 'not_terminal' };
  const timeline = await timelineOfExecution(deps, executionArn, paymentId);
  if (!timeline) return { archived: false, paymentId, reason: 'execution_gone' };
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
    const { archiveId, written } = await deps.archive.put(timeline);
    return written
      ? { archived: true, archiveId, paymentId }
      : { archived: false, paymentId, archiveId, reason: 'already_archived' };
  } catch (error) {
    if (!(error instanceof ArchiveRecordExistsError)) throw error;
    return { archived: false, paymentId, reason: 'kept_earlier', detail: error.message };
  }
}
