import { refundExecutionName } from '../../core/config/executions';
import { GATEWAY_ACCOUNT, type LedgerSnapshot } from '../../core/ledger';
import { refundPartKey, refundPartRef } from '../../core/ledger/keys';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import { paymentSplit } from '../../core/refunds/split';
import type { DemoTarget } from '../demo/target';
import type { SandboxRefund } from '../sandbox-gateway/server';
import type { DlqEntry } from './checks';
import type { ChaosRefund } from './refund-plan';
import { listRefundExecutions } from './top-up-executions';

/**
 * What the runtime says happened to each refund the run sent: its record,
 * its reservation on the payment item, its refund saga, its ledger reversal
 * (refund_part entries, ref refund:<paymentId>:<refundId>), its gateway
 * refunds (metadata.refundId) and its DLQ messages; and per refunded payment
 * what was captured and refunded, in total and per source.
 */

export interface RefundParts {
  readonly walletAmount: number;
  readonly gatewayAmount: number;
}

export interface RefundFact {
  readonly refundId: string;
  readonly paymentId: string;
  /** The refund record's status; undefined when none was written (refused at intake). */
  readonly status?: string;
  /** Why it FAILED or needs attention (the record's reasonCode and failedState). */
  readonly reasonCode?: string;
  readonly failedState?: string;
  readonly parts?: RefundParts;
  /** `refunds.<refundId>.state` on the payment item (RESERVED, REFUNDED, RELEASED). */
  readonly reservation?: string;
  /** The refund saga's execution status. */
  readonly execution?: string;
  /** The refund_part journal entries of this refund (at most one is right). */
  readonly postings: readonly RefundParts[];
  /** The gateway's refunds made for this refund (key refund:<paymentId>:<refundId>). */
  readonly gatewayRefunds: readonly Pick<SandboxRefund, 'id' | 'amount' | 'status'>[];
  /** DLQ messages of this refund (refund intake DLQ, compensation DLQ). */
  readonly dlq: readonly DlqEntry[];
}

/** A refunded payment's sources and what its refunds took from them. */
export interface PaymentRefundTotals {
  readonly captured: number;
  readonly walletAmount: number;
  readonly gatewayAmount: number;
  readonly refunded: number;
  readonly refundedWallet: number;
  readonly refundedGateway: number;
}

export interface RefundFacts {
  /** The refunds the run sent (after their payment succeeded), by refundId. */
  readonly refunds: ReadonlyMap<string, RefundFact>;
  /** The refunded payments, by paymentId. */
  readonly payments: ReadonlyMap<string, PaymentRefundTotals>;
}

export const NO_REFUNDS: RefundFacts = { refunds: new Map(), payments: new Map() };

const READS_AT_ONCE = 32;
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** The parts of a refund_part entry: wallet +w, gateway +g (merchant -(w+g)). */
function partsOfEntry(lines: readonly { readonly account: string; readonly amount: number }[]): RefundParts {
  const gatewayAmount = sum(lines.filter((l) => l.account === GATEWAY_ACCOUNT).map((l) => l.amount));
  const walletAmount = sum(
    lines.filter((l) => l.account !== GATEWAY_ACCOUNT && l.amount > 0).map((l) => l.amount),
  );
  return { walletAmount, gatewayAmount };
}

export async function collectRefundFacts(
  target: DemoTarget,
  sent: readonly ChaosRefund[],
  prefix: string,
  ledger: LedgerSnapshot,
  dlqByRefund: ReadonlyMap<string, readonly DlqEntry[]>,
): Promise<RefundFacts> {
  if (sent.length === 0) return NO_REFUNDS;
  const store = new PaymentRefundStore(target.clients.documents, target.names.tables.payments);
  const paymentsRepo = new PaymentsRepository(target.clients.documents, target.names.tables.payments);
  const executions = new Map<string, string>();
  for (const execution of await listRefundExecutions(target, prefix)) {
    if (execution.name) executions.set(execution.name, execution.status ?? 'UNKNOWN');
  }
  const postings = new Map<string, RefundParts[]>();
  for (const entry of ledger.entries) {
    if (entry.operation !== 'refund_part') continue;
    postings.set(entry.ref, [...(postings.get(entry.ref) ?? []), partsOfEntry(entry.lines)]);
  }
  const gatewayRefunds = new Map<string, SandboxRefund[]>();
  for (const refund of await target.gateway.listRefunds()) {
    if (!refund.refundId || !refund.paymentId?.startsWith(prefix)) continue;
    const key = refundPartKey(refund.paymentId, refund.refundId);
    gatewayRefunds.set(key, [...(gatewayRefunds.get(key) ?? []), refund]);
  }
  const paymentIds = [...new Set(sent.map((r) => r.paymentId))];
  const payments = new Map<string, PaymentRefundTotals>();
  const reservations = new Map<string, string>();
  for (let i = 0; i < paymentIds.length; i += READS_AT_ONCE) {
    await Promise.all(
      paymentIds.slice(i, i + READS_AT_ONCE).map(async (paymentId) => {
        const record = await paymentsRepo.get(paymentId);
        if (!record) return;
        const split = paymentSplit(record);
        payments.set(paymentId, {
          captured: split.captured,
          walletAmount: split.walletAmount,
          gatewayAmount: split.gatewayAmount,
          refunded: record.refunded ?? 0,
          refundedWallet: record.refundedWallet ?? 0,
          refundedGateway: record.refundedGateway ?? 0,
        });
        for (const [refundId, reservation] of Object.entries(record.refunds ?? {})) {
          reservations.set(refundPartKey(paymentId, refundId), reservation.state);
        }
      }),
    );
  }
  const refunds = new Map<string, RefundFact>();
  const unique = [...new Map(sent.map((r) => [r.refundId, r])).values()];
  for (let i = 0; i < unique.length; i += READS_AT_ONCE) {
    await Promise.all(
      unique.slice(i, i + READS_AT_ONCE).map(async ({ refundId, paymentId }) => {
        const record = await store.get(paymentId, refundId);
        const key = refundPartKey(paymentId, refundId);
        const reservation = reservations.get(key);
        const execution = executions.get(refundExecutionName(paymentId, refundId));
        refunds.set(refundId, {
          refundId,
          paymentId,
          ...(record && { status: record.status }),
          ...(record?.reasonCode !== undefined && { reasonCode: record.reasonCode }),
          ...(record?.failedState !== undefined && { failedState: record.failedState }),
          ...(record?.walletAmount !== undefined &&
            record.gatewayAmount !== undefined && {
              parts: { walletAmount: record.walletAmount, gatewayAmount: record.gatewayAmount },
            }),
          ...(reservation !== undefined && { reservation }),
          ...(execution !== undefined && { execution }),
          postings: postings.get(refundPartRef(key)) ?? [],
          gatewayRefunds: (gatewayRefunds.get(key) ?? []).map(({ id, amount, status }) => ({
            id,
            amount,
            status,
          })),
          dlq: dlqByRefund.get(refundId) ?? [],
        });
      }),
    );
  }
  return { refunds, payments };
}
