import type { ChargeRecord, RefundRecord as GatewayRefund, PaymentGateway } from '../gateway/port';
import { paymentIdOfRefundPartRef } from '../ledger/keys';
import type { JournalEntry } from '../ledger/model';
import type { PaymentRecord } from '../payments/records';
import type { RefundRecord } from '../refunds/record';
import type { Discrepancy } from './discrepancy';
import {
  checkRefunds,
  IN_FLIGHT,
  isSagaRefund,
  type RefundFacts,
  refundIdsOf,
} from './reconcile-refund-rules';

/**
 * Reading a payment's refund saga refunds for reconciliation: its refund records, their refund_part
 * entries and the gateway refunds the period's index lacks; the checks are reconcile-refund-rules.ts.
 */

/** What reconcile needs to read a payment's refunds. */
export interface RefundReconcileSources {
  readonly records: { list(paymentId: string): Promise<RefundRecord[]> };
  /** A refund of the charge by its refundId, for refunds made after the period's window of gateway refunds. */
  readonly gateway: Pick<PaymentGateway, 'findRefund'>;
  readonly ledger: {
    listPaymentEntries(paymentId: string, refundIds: readonly string[]): Promise<JournalEntry[]>;
  };
}

/**
 * Reads what the index of the period's gateway refunds lacks: the payment's refund records and,
 * for a refund whose card part the index does not show (made after the window), the gateway's own
 * refund of the charge by its refundId (PaymentGateway.findRefund: the charge's refund list).
 */
export async function loadRefundFacts(
  sources: RefundReconcileSources,
  input: {
    payment: PaymentRecord;
    charges: readonly ChargeRecord[];
    gatewayRefunds: readonly GatewayRefund[];
    /** The payment's journal, read with the refundIds of refundIdsOf (their refund_part entries). */
    journal: readonly JournalEntry[];
    /** The refundIds the journal was read with. */
    refundIds: readonly string[];
  },
): Promise<RefundFacts> {
  const { payment, charges } = input;
  const records = await sources.records.list(payment.paymentId);
  const unread = records.map((r) => r.refundId).filter((id) => !input.refundIds.includes(id));
  const journal =
    unread.length > 0
      ? [
          ...input.journal,
          ...(await sources.ledger.listPaymentEntries(payment.paymentId, unread)).filter(
            (e) => e.operation === 'refund_part',
          ),
        ]
      : input.journal;
  const gatewayRefunds = [...input.gatewayRefunds];
  const chargeId = payment.chargeId ?? charges[0]?.chargeId;
  for (const record of records) {
    const cardPart = record.gatewayAmount ?? payment.refunds?.[record.refundId]?.gatewayAmount ?? 0;
    if (cardPart === 0 || !chargeId || IN_FLIGHT.has(record.status)) continue;
    if (gatewayRefunds.some((r) => r.sagaRefundId === record.refundId)) continue;
    const found = await sources.gateway.findRefund({
      paymentId: payment.paymentId,
      chargeId,
      refundId: record.refundId,
    });
    if (found) gatewayRefunds.push({ ...found, paymentId: payment.paymentId, sagaRefundId: record.refundId });
  }
  return {
    payment,
    records,
    reversals: journal.filter(
      (e) => e.operation === 'refund_part' && paymentIdOfRefundPartRef(e.ref) === payment.paymentId,
    ),
    gatewayRefunds,
  };
}

/**
 * Refund saga refunds made in the period (the index of its gateway refunds) for payments requested
 * before it: those payments are not among the period's, so their refunds are checked here.
 */
export async function checkLateRefunds(
  sources: RefundReconcileSources & {
    readonly payments: { get(paymentId: string): Promise<PaymentRecord | undefined> };
  },
  fromDay: string,
  refundsInPeriod: Iterable<GatewayRefund>,
  emit: (payment: PaymentRecord, discrepancy: Discrepancy) => void,
): Promise<void> {
  const byPayment = new Map<string, GatewayRefund[]>();
  for (const refund of refundsInPeriod) {
    if (!isSagaRefund(refund) || !refund.paymentId) continue;
    byPayment.set(refund.paymentId, [...(byPayment.get(refund.paymentId) ?? []), refund]);
  }
  for (const [paymentId, gatewayRefunds] of byPayment) {
    const payment = await sources.payments.get(paymentId);
    if (!payment || payment.requestedAt.slice(0, 10) >= fromDay) continue; // checked with its day
    const refundIds = refundIdsOf(payment, gatewayRefunds);
    const journal = await sources.ledger.listPaymentEntries(paymentId, refundIds);
    const facts = await loadRefundFacts(sources, {
      payment,
      charges: [],
      gatewayRefunds,
      journal,
      refundIds,
    });
    for (const discrepancy of checkRefunds(facts)) emit(payment, discrepancy);
  }
}
