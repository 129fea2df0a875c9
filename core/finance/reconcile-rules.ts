import type { ChargeRecord, RefundRecord } from '../gateway/port';
import { amountView, formatAmount } from '../history/amounts';
import { merchantAccount } from '../ledger/accounts';
import { type Hold, isCardEntry, type JournalEntry } from '../ledger/model';
import type { PaymentRecord } from '../payments/records';
import { effectiveStatusOf, type ResolutionView, resolutionView } from '../payments/resolution';
import type { Discrepancy } from './discrepancy';

/** Everything known about one payment from the three sides. */
export interface PaymentFacts {
  readonly payment: PaymentRecord;
  /** Money-moving gateway charges carrying this paymentId. */
  readonly charges: readonly ChargeRecord[];
  /** Gateway refunds of those charges. */
  readonly refunds: readonly RefundRecord[];
  readonly journal: readonly JournalEntry[];
  /** The payer wallet's marker for this payment; undefined when none (or compacted away). */
  readonly hold: Hold | undefined;
  /** Step Functions status of the saga when the payment record is not terminal (RUNNING, FAILED, ...). */
  readonly executionStatus: string | undefined;
  /** Check unbalanced journal entries here (those outside the period's journal pass). */
  readonly checkJournal: (entry: JournalEntry) => boolean;
  /** False when the gateway could not say which charges the payment has (reported separately). */
  readonly chargesKnown?: boolean;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION']);
const ENDED_EXECUTION = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

const sum = (values: readonly number[]) => values.reduce((total, v) => total + v, 0);
const money = (minor: number, currency: string) => formatAmount(amountView(minor, currency));

export function unbalancedEntry(entry: JournalEntry): Discrepancy | undefined {
  const balance = sum(entry.lines.map((line) => line.amount));
  if (balance === 0) return undefined;
  return {
    kind: 'journal_unbalanced',
    message: `journal entry ${entry.entryId} (${entry.operation}, wallet ${entry.walletId}, ${entry.effectiveAt}) lines sum to ${money(balance, entry.currency)}, not 0`,
    action:
      'find the write that produced it (no ledger operation writes unbalanced lines) and correct it with a balancing entry; run the ledger invariant check',
    ...(entry.ref.startsWith('deposit:') ? {} : { paymentId: entry.ref }),
    walletId: entry.walletId,
    entryId: entry.entryId,
    amountMinor: balance,
    currency: entry.currency,
  };
}

/**
 * A finding on a payment a person resolved (payctl payments resolve) names the resolution: outcome, who,
 * when. It is still a discrepancy (the payment is judged by that outcome: see checkPayment) unless the
 * check found it is what the resolution accounts for (`resolved`: settled by hand).
 */
export function withResolution(payment: PaymentRecord, found: Discrepancy): Discrepancy {
  if (!payment.resolution || found.resolution) return found;
  return { ...found, resolution: resolutionView(payment.resolution) };
}

/** How a resolved payment ended, for a message: `resolved failed (mark_resolved by jane at ...: reason)`. */
function resolvedAs(resolution: ResolutionView): string {
  return `resolved ${resolution.outcome} (${resolution.action} by ${resolution.by} at ${resolution.resolvedAt}${resolution.reason ? `: ${resolution.reason}` : ''})`;
}

/** The three-way checks of one payment; pure. */
export function checkPayment(facts: PaymentFacts, now: Date): Discrepancy[] {
  const { payment, charges, refunds, journal, hold } = facts;
  const found: Discrepancy[] = [];
  const id = payment.paymentId;
  const requested = money(payment.amount, payment.currency);
  const charged = sum(charges.map((c) => c.amount.value));
  const refunded = sum(refunds.map((r) => r.amount.value));
  // A payment a person resolved is judged by the resolution's outcome (its money must bear it out), not
  // as the NEEDS_ATTENTION its saga left: core/payments/resolution.ts, as the status API answers it.
  const status = effectiveStatusOf(payment);
  const resolution = payment.resolution && resolutionView(payment.resolution);
  const endedAs = resolution ? resolvedAs(resolution) : status;
  const sagaEnded =
    TERMINAL.has(status) ||
    (facts.executionStatus !== undefined && ENDED_EXECUTION.has(facts.executionStatus));
  const failed = status === 'FAILED' || status === 'NEEDS_ATTENTION' || (!TERMINAL.has(status) && sagaEnded);
  const refundIds = refunds.map((r) => r.refundId);

  if (charges.length > 1) {
    found.push({
      kind: 'charged_twice',
      message: `payment ${id} (${requested}) has ${charges.length} gateway charges: ${charges.map((c) => `${c.chargeId} ${money(c.amount.value, c.currency)}`).join(', ')}`,
      action: `refund every charge but ${payment.chargeId ?? 'the one the saga recorded'} at the gateway, then re-run reconcile`,
      paymentId: id,
      amountMinor: charged,
      currency: payment.currency,
    });
  }
  // Wallet first: the gateway charges only the part the wallet did not cover (a record from before the
  // split has none recorded: the old model charged the whole amount).
  const cardPart = payment.gatewayAmount ?? payment.amount;
  const walletPart = payment.walletAmount ?? payment.amount;
  for (const charge of charges) {
    if (charge.amount.value !== cardPart || charge.currency !== payment.currency) {
      found.push({
        kind: 'amount_mismatch',
        message: `charge ${charge.chargeId} of payment ${id} is ${money(charge.amount.value, charge.currency)}, the payment's card part is ${money(cardPart, payment.currency)} (of ${requested})`,
        action: 'check the charge at the gateway; refund the difference or escalate to the gateway',
        paymentId: id,
        chargeId: charge.chargeId,
        amountMinor: charge.amount.value,
        currency: charge.currency,
      });
    }
  }
  if (status === 'SUCCEEDED' && cardPart > 0 && charges.length === 0 && facts.chargesKnown !== false) {
    found.push({
      kind: 'succeeded_without_charge',
      message: `payment ${id} (${requested}, ${payment.walletId} -> ${payment.merchantId}) ${endedAs} but the gateway has no charge for it${payment.chargeId ? ` (the saga recorded ${payment.chargeId})` : ''}`,
      action: `the merchant was credited without money coming in: check charge ${payment.chargeId ?? '(none recorded)'} at the gateway; reverse the settlement or collect the payment`,
      paymentId: id,
      ...(payment.chargeId && { chargeId: payment.chargeId }),
      amountMinor: payment.amount,
      currency: payment.currency,
    });
  }
  const settled = (operation: string, part: number) =>
    part === 0 || journal.some((e) => e.operation === operation);
  // A record with the split needs a settle entry for its wallet part and a settle_card for its card part.
  const unsettled = [
    ...(settled('settle', payment.walletAmount === undefined ? 1 : walletPart) ? [] : ['settle']),
    ...(payment.gatewayAmount === undefined || settled('settle_card', cardPart) ? [] : ['settle_card']),
  ];
  if (status === 'SUCCEEDED' && unsettled.length > 0) {
    // Resolved succeeded with its card part kept at the gateway: the person settled it by hand, which is
    // what the resolution says; a wallet part not settled is money not taken, which contradicts it.
    const settledByHand = resolution !== undefined && !unsettled.includes('settle');
    found.push({
      kind: 'succeeded_not_settled',
      message: `payment ${id} (${requested}) ${endedAs} but the ledger has no ${unsettled.join(' or ')} entry for it`,
      action:
        'run the ledger journal repair for the payer wallet, then re-run reconcile; if the hold is gone, escalate',
      paymentId: id,
      walletId: payment.walletId,
      amountMinor: payment.amount,
      currency: payment.currency,
      ...(resolution && { resolution }),
      ...(settledByHand && {
        resolved: {
          by: resolution.by,
          at: resolution.resolvedAt,
          ...(resolution.reason !== undefined && { reason: resolution.reason }),
        },
      }),
    });
  }
  if (failed && charged > refunded) {
    const where = resolution
      ? `it was ${endedAs}`
      : status === 'NEEDS_ATTENTION'
        ? 'the refund compensation failed (see the compensation DLQ)'
        : `the saga ended ${status === 'FAILED' ? 'FAILED' : `${facts.executionStatus} at ${status}`}`;
    const chargeIds = charges.map((c) => c.chargeId).join(', ');
    found.push({
      kind: 'charged_not_refunded',
      message: `payment ${id}: ${money(charged - refunded, payment.currency)} charged at the gateway (${chargeIds}) and not refunded, but ${where}`,
      action: resolution
        ? `the merchant was told it failed while the customer's money stands taken: refund ${chargeIds} at the gateway, then re-run reconcile`
        : `refund ${chargeIds} at the gateway (or redrive the compensation from the DLQ), then re-run reconcile`,
      paymentId: id,
      ...(charges[0] && { chargeId: charges[0].chargeId }),
      amountMinor: charged - refunded,
      currency: payment.currency,
    });
  }
  // The wallet part of a payment told failed must be back with the payer (released, or its settlement
  // reversed): what the payment's own wallet-side entries still leave with the merchant is the payer's
  // money kept while the merchant was told the payment failed.
  // The hold counts too: a settle whose wallet write landed (hold POSTED) before its journal entry did
  // (a crash between the two; the sweeper's journal repair writes it later) has moved the money already.
  const postedByHold = hold?.state === 'POSTED' && !hold.tombstone ? (hold.captured ?? hold.amount) : 0;
  const walletPartKept = failed ? Math.max(merchantNetOfWalletPart(journal, payment), postedByHold) : 0;
  if (walletPartKept > 0) {
    found.push({
      kind: 'failed_wallet_part_settled',
      message: `payment ${id} (${requested}) ${resolution ? `was ${endedAs}` : `is ${status}`}, but ${money(walletPartKept, payment.currency)} of its wallet part (${payment.walletId}) stands settled to ${payment.merchantId} with no reversal`,
      action: resolution
        ? `the merchant was told it failed while the payer's wallet money stands with the merchant: give it back to ${payment.walletId} (a ledger refund of the wallet part), or resolve the payment as succeeded if the merchant keeps it; then re-run reconcile`
        : `see payctl history ${id}: give the wallet part back to ${payment.walletId} (redrive the compensation, or a ledger refund of the wallet part), then re-run reconcile`,
      paymentId: id,
      walletId: payment.walletId,
      amountMinor: walletPartKept,
      currency: payment.currency,
      ...(resolution && { resolution }),
    });
  }
  if (refunds.length > 1 || refunded > charged) {
    found.push({
      kind: 'refunded_twice',
      message: `payment ${id}: ${refunds.length} refunds (${refundIds.join(', ')}) totalling ${money(refunded, payment.currency)} against ${money(charged, payment.currency)} charged`,
      action:
        'the customer got money back twice: recover the excess with the gateway or the customer; find who issued the extra refund',
      paymentId: id,
      refundIds,
      amountMinor: refunded,
      currency: payment.currency,
    });
  } else if (status === 'SUCCEEDED' && refunds.length > 0) {
    found.push({
      kind: 'refunded_after_success',
      message: `payment ${id} ${endedAs}, yet ${refundIds.join(', ')} refunded ${money(refunded, payment.currency)} at the gateway while the ledger still credits ${payment.merchantId}`,
      action:
        'record the refund in the ledger (reversing entry) or recover it; find who refunded outside the saga',
      paymentId: id,
      refundIds,
      amountMinor: refunded,
      currency: payment.currency,
    });
  }
  if (hold && hold.state === 'PENDING' && !hold.tombstone) {
    const held = money(hold.amount, payment.currency);
    if (hold.expiresAt <= now.toISOString()) {
      found.push({
        kind: 'hold_open_past_expiry',
        message: `hold of payment ${id} on wallet ${payment.walletId} (${held}) expired at ${hold.expiresAt} and is still open`,
        action: 'run the hold expiry sweep for the wallet (it releases expired holds)',
        paymentId: id,
        walletId: payment.walletId,
        amountMinor: hold.amount,
        currency: payment.currency,
      });
    } else if (sagaEnded) {
      found.push({
        kind: 'hold_open_after_saga',
        message: `hold of payment ${id} on wallet ${payment.walletId} (${held}) is still open although the saga ended (payment ${endedAs}${facts.executionStatus ? `, execution ${facts.executionStatus}` : ''})`,
        action:
          status === 'SUCCEEDED' || status === 'FAILED' || status === 'NEEDS_ATTENTION'
            ? 'release the hold (ReleaseFunds) or settle it, whichever the outcome says; see payctl history'
            : 'redrive the failed execution once its cause is fixed (payctl sagas), or release the hold',
        paymentId: id,
        walletId: payment.walletId,
        amountMinor: hold.amount,
        currency: payment.currency,
      });
    }
  }
  for (const entry of journal) {
    if (!facts.checkJournal(entry)) continue;
    const unbalanced = unbalancedEntry(entry);
    if (unbalanced) found.push(unbalanced);
  }
  return found;
}

/** What the payment's wallet-side entries (its own ref, card entries aside) leave credited to its merchant. */
function merchantNetOfWalletPart(journal: readonly JournalEntry[], payment: PaymentRecord): number {
  const merchant = merchantAccount(payment.merchantId);
  return sum(
    journal
      .filter((entry) => entry.ref === payment.paymentId && !isCardEntry(entry))
      .flatMap((entry) => entry.lines.filter((line) => line.account === merchant).map((line) => line.amount)),
  );
}
