import { ArchiveRecordExistsError, type HistoryArchive } from '../payments/archive';
import { type TimelineDeps, timelineOfExecution } from './source';
import { type ExecutionStatusChangeEvent, isTerminalStatus } from './status-event';

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
  // Redriven since the event was sent: the run that ends next is archived by its own event.
  if (timeline.outcome.executionStatus === 'RUNNING')
    return { archived: false, paymentId, reason: 'still_running' };
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
