import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import type { FinanceDeps } from '../../cli/finance/deps';
import { runReconcile } from '../../cli/finance/reconcile';
import { DLQ_KEYS } from '../../cli/ops/args';
import type { OpsDeps } from '../../cli/ops/deps';
import { peekDlq } from '../../cli/ops/dlq';
import { executionArnFor } from '../../core/config/executions';
import type { Discrepancy } from '../../core/finance/discrepancy';
import { parsePeriod } from '../../core/finance/period';
import { LedgerReader } from '../../core/ledger';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import { topUpIdOfGatewayRef } from '../../core/topups/keys';
import { TopUpStore } from '../../core/topups/store';
import { listRunExecutions } from '../demo/drive';
import type { DemoTarget } from '../demo/target';
import { RESTART_CAUSE } from '../sfn/executions';
import type { DlqEntry, RunFacts } from './checks';
import { collectRefundFacts } from './refund-facts';
import type { ChaosRefund } from './refund-plan';
import { listTopUpExecutions } from './top-up-executions';

const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;

/** The topUpId in a DLQ body: a TopUpRequested event's detail, or a top-up saga's state. */
function topUpIdIn(body: unknown): string | undefined {
  const found = field(field(body, 'detail'), 'topUpId') ?? field(body, 'topUpId');
  return typeof found === 'string' ? found : undefined;
}

/** The refundId in a DLQ body: a RefundRequested event's detail, or a refund saga's state. */
function refundIdIn(body: unknown): string | undefined {
  const found = field(field(body, 'detail'), 'refundId') ?? field(field(body, 'refund'), 'refundId');
  return typeof found === 'string' ? found : undefined;
}

/** More than any run puts in a DLQ: peek reads them all. */
const DLQ_READ_LIMIT = 1_000_000;
const OUTCOME_READS_AT_ONCE = 32;

/**
 * Reads what the runtime says happened, through the same APIs and functions
 * operations and finance use: executions (Step Functions), DLQ messages with
 * their reasons (payctl dlq peek), the sandbox gateway's charges (its admin
 * API), the ledger (LedgerReader) and a reconciliation over the run's days.
 */
export async function collectFacts(
  target: DemoTarget,
  deps: OpsDeps & FinanceDeps,
  prefix: string,
  run: { readonly startedAt: Date; readonly now: Date },
  /** Payments whose executions' failures to read (their history): those hit by crashBeforeRecord. */
  watched: readonly string[] = [],
  /** The run's top-ups: their records (outcome) are read by topUpId. */
  topUpIds: readonly string[] = [],
  /** The refunds the run sent: their records, reservations, postings and gateway refunds (refund-facts.ts). */
  refundsSent: readonly ChaosRefund[] = [],
): Promise<RunFacts> {
  const executions = new Map<string, string>();
  for (const execution of await listRunExecutions(target, prefix)) {
    if (execution.name) executions.set(execution.name, execution.status ?? 'UNKNOWN');
  }
  // The payment's outcome is its record's status: a business failure ends its execution SUCCEEDED.
  const outcomes = new Map<string, string>();
  const splits = new Map<string, { walletAmount: number; gatewayAmount: number }>();
  const payments = new DynamoPaymentLog(target.clients.documents, target.names.tables.payments);
  const names = [...executions.keys()];
  for (let i = 0; i < names.length; i += OUTCOME_READS_AT_ONCE) {
    await Promise.all(
      names.slice(i, i + OUTCOME_READS_AT_ONCE).map(async (paymentId) => {
        const record = await payments.get(paymentId);
        if (record) outcomes.set(paymentId, record.status);
        if (record?.walletAmount !== undefined && record.gatewayAmount !== undefined)
          splits.set(paymentId, { walletAmount: record.walletAmount, gatewayAmount: record.gatewayAmount });
      }),
    );
  }
  const topUpExecutions = new Map<string, string>();
  for (const execution of await listTopUpExecutions(target, prefix)) {
    if (execution.name) topUpExecutions.set(execution.name, execution.status ?? 'UNKNOWN');
  }
  const topUpOutcomes = new Map<string, string>();
  const topUps = new TopUpStore(target.clients.documents, target.names.tables.payments);
  for (let i = 0; i < topUpIds.length; i += OUTCOME_READS_AT_ONCE) {
    await Promise.all(
      topUpIds.slice(i, i + OUTCOME_READS_AT_ONCE).map(async (topUpId) => {
        const record = await topUps.get(topUpId);
        if (record) topUpOutcomes.set(topUpId, record.status);
      }),
    );
  }
  const stops = new Map<string, string[]>();
  for (let i = 0; i < watched.length; i += OUTCOME_READS_AT_ONCE) {
    await Promise.all(
      watched.slice(i, i + OUTCOME_READS_AT_ONCE).map(async (paymentId) => {
        stops.set(paymentId, await stopsOf(target, paymentId));
      }),
    );
  }
  const dlq = new Map<string, DlqEntry[]>();
  const refundDlq = new Map<string, DlqEntry[]>();
  for (const key of DLQ_KEYS) {
    const messages = await peekDlq(deps, key, { limit: DLQ_READ_LIMIT });
    for (const message of messages) {
      const entry = { queue: deps.names.queues[key], reasonCode: message.reasonCode, reason: message.reason };
      const refundId = refundIdIn(message.body);
      if (refundId?.startsWith(prefix)) refundDlq.set(refundId, [...(refundDlq.get(refundId) ?? []), entry]);
      // A refused refund request says nothing of its payment's saga: it is the refund's alone.
      if (key === 'refundIntakeDlq') continue;
      // A top-up's message names no paymentId: its body (event detail or saga state) has the topUpId.
      const id = message.paymentId ?? topUpIdIn(message.body);
      if (!id?.startsWith(prefix)) continue;
      dlq.set(id, [...(dlq.get(id) ?? []), entry]);
    }
  }
  // Payments' charges carry the paymentId, top-ups' `topup:<topUpId>` (core/topups/keys.ts).
  const charges = (await target.gateway.listCharges()).filter(
    (c) => c.paymentId?.startsWith(prefix) || topUpIdOfGatewayRef(c.paymentId)?.startsWith(prefix),
  );
  const ledger = await new LedgerReader(target.clients.documents, target.names.tables.ledger).snapshot();
  const discrepancies: Discrepancy[] = [];
  let reconciliation: RunFacts['reconciliation'];
  try {
    const day = (date: Date) => date.toISOString().slice(0, 10);
    const summary = await runReconcile(deps, {
      period: parsePeriod(day(run.startedAt), day(run.now)),
      now: run.now,
      onDiscrepancy: (found) => discrepancies.push(found),
    });
    reconciliation = { discrepancies, payments: summary.payments };
  } catch (error) {
    reconciliation = { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  return {
    executions,
    outcomes,
    splits,
    stops,
    dlq,
    charges,
    topUpOutcomes,
    topUpExecutions,
    ledger,
    reconciliation,
    refunds: await collectRefundFacts(target, refundsSent, prefix, ledger, refundDlq),
  };
}

/** The errors an execution failed with (each failure before a redrive), except a runtime restart. */
async function stopsOf(target: DemoTarget, paymentId: string): Promise<string[]> {
  const executionArn = executionArnFor(target.stateMachineArn, paymentId);
  const errors: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await target.clients.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    for (const event of page.events ?? []) {
      const failed = event.executionFailedEventDetails;
      if (event.type === 'ExecutionFailed' && failed?.cause !== RESTART_CAUSE)
        errors.push(failed?.error ?? 'unknown');
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return errors;
}
