import { timelineOfExecution, withRefundsNow } from '../../core/history/source';
import type { SagaTimeline } from '../../core/history/timeline';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { UsageError } from '../errors';
import { executionArnOf, type FinanceDeps, financeStores } from './deps';

export interface PaymentHistory {
  /** execution: read live from Step Functions; archive: from the immutable archive (execution gone). */
  readonly source: 'execution' | 'archive';
  readonly archiveId?: string;
  readonly archivedAt?: string;
  readonly timeline: SagaTimeline;
}

/**
 * A payment's saga timeline: from GetExecutionHistory while Step Functions
 * still has the execution, else from the history archive.
 */
export async function loadHistory(deps: FinanceDeps, paymentId: string): Promise<PaymentHistory> {
  const stores = financeStores(deps);
  const payment = await stores.payments.get(paymentId);
  const executionArn = await executionArnOf(deps, paymentId, payment);
  const timelineDeps = {
    sfn: deps.clients.sfn,
    payments: stores.payments,
    ledger: stores.ledger,
    refunds: new PaymentRefundStore(deps.clients.doc, deps.names.tables.payments),
  };
  const live = await timelineOfExecution(timelineDeps, executionArn, paymentId);
  if (live) return { source: 'execution', timeline: live };
  const archived = await stores.archive.latest(paymentId);
  if (archived) {
    return {
      source: 'archive',
      archiveId: archived.archiveId,
      archivedAt: archived.archivedAt,
      // Refunds after the archive was written (or that ended since) are read live.
      timeline: await withRefundsNow(timelineDeps, archived.timeline),
    };
  }
  throw new UsageError(
    payment
      ? `payment ${paymentId} is recorded (status ${payment.status}) but Step Functions no longer has execution ${executionArn} and no history was archived for it`
      : `no payment ${paymentId} on stage ${deps.names.stage}: no payment record, no execution and no archived history; check the id (payctl report lists a period's payments)`,
  );
}
