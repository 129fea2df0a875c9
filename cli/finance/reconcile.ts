import type { Discrepancy } from '../../core/finance/discrepancy';
import type { Period } from '../../core/finance/period';
import { type ReconcileProgress, type ReconcileSummary, reconcile } from '../../core/finance/reconcile';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { TopUpStore } from '../../core/topups/store';
import { executionStatusOf, type FinanceDeps, financeGateway, financeStores } from './deps';

export interface ReconcileRun {
  readonly period: Period;
  readonly now: Date;
  readonly onDiscrepancy: (discrepancy: Discrepancy) => void;
  readonly onProgress?: (progress: ReconcileProgress) => void;
}

/** Three-way reconciliation through the stage's tables, Step Functions and the gateway adapter. */
export async function runReconcile(deps: FinanceDeps, run: ReconcileRun): Promise<ReconcileSummary> {
  const stores = financeStores(deps);
  const gateway = await financeGateway(deps);
  return reconcile(
    run.period,
    {
      payments: stores.payments,
      ledger: stores.ledger,
      gateway,
      executionStatus: (payment) => executionStatusOf(deps, payment.executionArn),
      topUps: {
        topUps: new TopUpStore(deps.clients.doc, deps.names.tables.payments),
        deposits: stores.ledger,
      },
      refunds: {
        records: new PaymentRefundStore(deps.clients.doc, deps.names.tables.payments),
        gateway,
        ledger: stores.ledger,
      },
    },
    {
      now: run.now,
      onDiscrepancy: run.onDiscrepancy,
      ...(run.onProgress && { onProgress: run.onProgress }),
    },
  );
}
