import { LedgerInvariantError } from '../errors';
import type { ChargeRecord, PaymentGateway, RefundRecord } from '../gateway/port';
import { amountView, formatAmount } from '../history/amounts';
import type { JournalEntry, Wallet } from '../ledger/model';
import type { PaymentRecord } from '../payments/records';
import type { Discrepancy, DiscrepancyKind } from './discrepancy';
import { addDays, inPeriod, type Period, startOfDay } from './period';
import { checkRefunds, isSagaRefund, refundIdsOf } from './reconcile-refund-rules';
import { checkLateRefunds, loadRefundFacts, type RefundReconcileSources } from './reconcile-refunds';
import { checkPayment, unbalancedEntry, withResolution } from './reconcile-rules';
import { TopUpReconciler, type TopUpReconcileSources } from './reconcile-top-ups';

/**
 * Three-way reconciliation of a period: the ledger journal, the gateway's
 * charges and refunds, and the sagas' outcomes (the payments table, plus Step
 * Functions for payments whose record is not terminal).
 *
 * Streaming, day by day: for each day, the gateway charges created that day
 * and the next (a saga crossing midnight) and the payments requested that day;
 * each payment's journal entries and wallet marker are read one at a time.
 * Memory is bounded by one day's charges and payments, a small wallet cache,
 * and the refunds index: refunds are only made by compensations, so the
 * period's refunds (made up to the redrive window after it) are indexed by
 * charge id. A payment whose charge lies outside its two-day window is looked
 * up at the gateway by paymentId.
 */
export interface ReconcileSources {
  readonly payments: {
    paymentsRequestedBetween(fromDay: string, toDay: string): AsyncIterable<PaymentRecord>;
    get(paymentId: string): Promise<PaymentRecord | undefined>;
  };
  readonly ledger: {
    listPaymentEntries(paymentId: string, refundIds?: readonly string[]): Promise<JournalEntry[]>;
    getWallet(walletId: string): Promise<Wallet | undefined>;
    entriesInPeriod(fromDay: string, toDay: string): AsyncIterable<JournalEntry>;
  };
  readonly gateway: Pick<PaymentGateway, 'listCharges' | 'listRefunds' | 'findChargeByPaymentId'>;
  /** Step Functions status of a payment's execution (DescribeExecution); undefined when there is none. */
  readonly executionStatus: (payment: PaymentRecord) => Promise<string | undefined>;
  /** Top-up records and deposit entries: top-up charges and credits are checked against each other. */
  readonly topUps?: TopUpReconcileSources;
  /**
   * Refund records, the gateway's refund lookup and the ledger's refund_part entries: each refund saga
   * refund is checked three ways (reconcile-refunds.ts), apart from the compensation's refunds. Without
   * them, every gateway refund of a charge counts as the compensation's (the old behaviour).
   */
  readonly refunds?: RefundReconcileSources;
}

export interface ReconcileProgress {
  readonly phase: 'refunds' | 'days' | 'journal';
  readonly day?: string;
  readonly daysDone: number;
  readonly daysTotal: number;
  readonly payments: number;
  readonly discrepancies: number;
}

export interface ReconcileOptions {
  readonly now: Date;
  /** How long after the period refunds are looked for (compensations may be redriven up to 14 days later). */
  readonly refundLagDays?: number;
  readonly onDiscrepancy: (discrepancy: Discrepancy) => void;
  readonly onProgress?: (progress: ReconcileProgress) => void;
}

export interface ReconcileSummary {
  readonly period: { readonly from: string; readonly to: string };
  readonly asOf: string;
  readonly payments: number;
  readonly paymentsInFlight: number;
  readonly charges: number;
  readonly refunds: number;
  readonly journalEntries: number;
  readonly discrepancies: number;
  /** Findings a person's resolution accounts for (a card part settled by hand): reported, not counted in `discrepancies`. */
  readonly resolved: number;
  readonly byKind: Partial<Record<DiscrepancyKind, number>>;
  /** Sum of all journal lines per currency over the period's entries (0 when every entry balances). */
  readonly journalTotals: Record<string, number>;
}

const NON_TERMINAL = new Set(['REQUESTED', 'RESERVED', 'CHARGED']);
const WALLET_CACHE_SIZE = 512;

/** A small LRU so a busy payer's wallet is read once per stretch, not once per payment. */
class WalletCache {
  private readonly wallets = new Map<string, Promise<Wallet | undefined>>();
  constructor(private readonly read: (walletId: string) => Promise<Wallet | undefined>) {}
  get(walletId: string): Promise<Wallet | undefined> {
    let wallet = this.wallets.get(walletId);
    if (wallet) this.wallets.delete(walletId);
    else wallet = this.read(walletId);
    this.wallets.set(walletId, wallet);
    if (this.wallets.size > WALLET_CACHE_SIZE) {
      const oldest = this.wallets.keys().next().value;
      if (oldest !== undefined) this.wallets.delete(oldest);
    }
    return wallet;
  }
}

export async function reconcile(
  period: Period,
  sources: ReconcileSources,
  options: ReconcileOptions,
): Promise<ReconcileSummary> {
  const { now } = options;
  const byKind: Partial<Record<DiscrepancyKind, number>> = {};
  let discrepancies = 0;
  let payments = 0;
  let paymentsInFlight = 0;
  let charges = 0;
  let journalEntries = 0;
  let resolved = 0;
  const emit = (found: Discrepancy) => {
    if (found.resolved) {
      resolved += 1;
      options.onDiscrepancy(found);
      return;
    }
    discrepancies += 1;
    byKind[found.kind] = (byKind[found.kind] ?? 0) + 1;
    options.onDiscrepancy(found);
  };
  const progress = (phase: ReconcileProgress['phase'], daysDone: number, day?: string) =>
    options.onProgress?.({
      phase,
      ...(day && { day }),
      daysDone,
      daysTotal: period.days.length,
      payments,
      discrepancies,
    });

  // Refunds made for the period's charges: in the period or up to refundLagDays after it.
  progress('refunds', 0);
  const refundsByCharge = new Map<string, RefundRecord[]>();
  let refundCount = 0;
  const refundsUntil = new Date(
    Math.min(now.getTime() + 1000, addDays(period.end, options.refundLagDays ?? 15).getTime()),
  );
  for await (const refund of sources.gateway.listRefunds({ from: period.start, to: refundsUntil })) {
    refundCount += 1;
    refundsByCharge.set(refund.chargeId, [...(refundsByCharge.get(refund.chargeId) ?? []), refund]);
  }

  const wallets = new WalletCache((walletId) => sources.ledger.getWallet(walletId));
  /** Payments requested before the period checked with a charge of it (their refunds included). */
  const checkedLate = new Set<string>();
  /**
   * The three-way checks of one payment (and of its refund saga refunds, when the refund sources are
   * given: the compensation's refunds stay in checkPayment); returns the execution status it read.
   */
  const checkOne = async (
    payment: PaymentRecord,
    charges: ChargeRecord[],
    checkJournal: (entry: JournalEntry) => boolean,
    chargesKnown = true,
  ): Promise<string | undefined> => {
    const refundsSeen = charges.flatMap((c) => refundsByCharge.get(c.chargeId) ?? []);
    const sagaRefunds = sources.refunds ? refundsSeen.filter(isSagaRefund) : [];
    const refundIds = sources.refunds ? refundIdsOf(payment, sagaRefunds) : [];
    const executionStatus = NON_TERMINAL.has(payment.status)
      ? await sources.executionStatus(payment)
      : undefined;
    const [journal, wallet] = await Promise.all([
      sources.ledger.listPaymentEntries(payment.paymentId, refundIds),
      wallets.get(payment.walletId),
    ]);
    const facts = {
      payment,
      charges,
      refunds: refundsSeen.filter((r) => !sagaRefunds.includes(r)),
      journal,
      hold: wallet?.holds[payment.paymentId],
      executionStatus,
      checkJournal,
      chargesKnown,
    };
    for (const discrepancy of checkPayment(facts, now)) emit(withResolution(payment, discrepancy));
    if (sources.refunds && refundIds.length > 0) {
      const refundFacts = await loadRefundFacts(sources.refunds, {
        payment,
        charges,
        gatewayRefunds: sagaRefunds,
        journal,
        refundIds,
      });
      for (const discrepancy of checkRefunds(refundFacts)) emit(withResolution(payment, discrepancy));
    }
    return executionStatus;
  };
  const topUps =
    sources.topUps && new TopUpReconciler(sources.topUps, sources.gateway, refundsByCharge, emit);
  const outsidePeriod = (entry: JournalEntry) => !inPeriod(period, entry.effectiveAt);

  for (const [index, day] of period.days.entries()) {
    progress('days', index, day);
    const dayStart = startOfDay(day);
    const dayEnd = addDays(dayStart, 1);
    const chargesByPayment = new Map<string, ChargeRecord[]>();
    const chargesOfTheDay: ChargeRecord[] = [];
    for await (const charge of sources.gateway.listCharges({ from: dayStart, to: addDays(dayStart, 2) })) {
      const createdThatDay = charge.created < dayEnd.toISOString();
      if (createdThatDay) {
        charges += 1;
        chargesOfTheDay.push(charge);
      }
      if (charge.paymentId) {
        chargesByPayment.set(charge.paymentId, [...(chargesByPayment.get(charge.paymentId) ?? []), charge]);
      }
    }

    const seen = new Set<string>();
    for await (const payment of sources.payments.paymentsRequestedBetween(day, day)) {
      payments += 1;
      seen.add(payment.paymentId);
      let found = chargesByPayment.get(payment.paymentId) ?? [];
      let chargesKnown = true;
      if (found.length === 0 && payment.chargeId) {
        const later = await chargesFoundLater(sources, payment, emit);
        chargesKnown = later !== undefined;
        found = later ?? [];
      }
      const executionStatus = await checkOne(payment, found, outsidePeriod, chargesKnown);
      if (executionStatus === 'RUNNING') paymentsInFlight += 1;
      if (payments % 100 === 0) progress('days', index, day);
    }

    // Charges of the day that no payment of the day explains.
    for (const charge of chargesOfTheDay) {
      if (charge.paymentId && seen.has(charge.paymentId)) continue;
      if (topUps?.charge(charge)) continue; // a top-up's: checked against its wallet credit below
      const payment = charge.paymentId ? await sources.payments.get(charge.paymentId) : undefined;
      if (payment && inPeriod(period, payment.requestedAt)) continue; // checked on its own day
      if (payment) {
        // Requested before the period, charged in it (a late redrive): check it here.
        await checkOne(payment, [charge], () => false);
        checkedLate.add(payment.paymentId);
        continue;
      }
      emit({
        kind: 'unknown_charge',
        message: `gateway charge ${charge.chargeId} of ${formatAmount(amountView(charge.amount.value, charge.currency))} at ${charge.created} ${charge.paymentId ? `names payment ${charge.paymentId}, which does not exist` : 'carries no paymentId'}`,
        action: 'find who made it (gateway dashboard); refund it or record the payment it belongs to',
        ...(charge.paymentId && { paymentId: charge.paymentId }),
        chargeId: charge.chargeId,
        amountMinor: charge.amount.value,
        currency: charge.currency,
      });
    }
  }

  if (sources.refunds) {
    const inPeriodRefunds = [...refundsByCharge.values()].flat().filter((r) => inPeriod(period, r.created));
    await checkLateRefunds(
      { ...sources.refunds, payments: sources.payments },
      period.fromDay,
      inPeriodRefunds.filter((r) => !(r.paymentId && checkedLate.has(r.paymentId))),
      (payment, found) => emit(withResolution(payment, found)),
    );
  }

  // The journal of the period, entry by entry: every entry must balance.
  progress('journal', period.days.length);
  const journalTotals: Record<string, number> = {};
  for await (const entry of sources.ledger.entriesInPeriod(period.fromDay, period.toDay)) {
    journalEntries += 1;
    journalTotals[entry.currency] =
      (journalTotals[entry.currency] ?? 0) + entry.lines.reduce((total, line) => total + line.amount, 0);
    const unbalanced = unbalancedEntry(entry);
    if (unbalanced) emit(unbalanced);
    topUps?.entry(entry);
  }
  await topUps?.finish();
  progress('journal', period.days.length);

  return {
    period: { from: period.fromDay, to: period.toDay },
    asOf: now.toISOString(),
    payments,
    paymentsInFlight,
    charges,
    refunds: refundCount,
    journalEntries,
    discrepancies,
    resolved,
    byKind,
    journalTotals,
  };
}

/**
 * The charge of a payment charged outside its two-day window (a late redrive),
 * looked up by paymentId. The gateway refuses to answer for a payment with
 * several charges: that is itself the finding (undefined: charges unknown).
 */
async function chargesFoundLater(
  sources: ReconcileSources,
  payment: PaymentRecord,
  emit: (discrepancy: Discrepancy) => void,
): Promise<ChargeRecord[] | undefined> {
  try {
    const later = await sources.gateway.findChargeByPaymentId(payment.paymentId);
    return later ? [{ ...later, paymentId: payment.paymentId }] : [];
  } catch (error) {
    if (!(error instanceof LedgerInvariantError)) throw error;
    emit({
      kind: 'charged_twice',
      message: `payment ${payment.paymentId}: ${error.message}`,
      action: `refund every charge but ${payment.chargeId ?? 'the one the saga recorded'} at the gateway, then re-run reconcile`,
      paymentId: payment.paymentId,
      currency: payment.currency,
    });
    return undefined;
  }
}
