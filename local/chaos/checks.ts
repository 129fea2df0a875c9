/**
 * The chaos run's verdict, as pure functions of what the runtime reports
 * after quiesce and redrive (facts.ts collects it): each check names the
 * first few payments that break it.
 */
import type { Discrepancy } from '../../core/finance/discrepancy';
import { checkLedgerInvariants, type LedgerSnapshot, type Wallet } from '../../core/ledger';
import type { SandboxCharge } from '../sandbox-gateway/server';
import { type CheckResult, isLive, parkedIn, result } from './check-result';
import { type ExpectedRefund, REFUND_CHECK_NAMES, runRefundChecks } from './refund-checks';
import { NO_REFUNDS, type RefundFacts } from './refund-facts';
import { cardCreditOf, runTopUpChecks, TOP_UP_CHECK_NAMES } from './top-up-checks';

export type { CheckResult } from './check-result';

export interface DlqEntry {
  readonly queue: string;
  readonly reasonCode: string | undefined;
  readonly reason: string;
}

export interface RunFacts {
  /** The run's executions by name (= paymentId): their status (SUCCEEDED includes business failures). */
  readonly executions: ReadonlyMap<string, string>;
  /** The payments' recorded status by paymentId (SUCCEEDED, FAILED, NEEDS_ATTENTION, ...): their outcome. */
  readonly outcomes: ReadonlyMap<string, string>;
  /** The split Reserve recorded (wallet first): the wallet part and the gateway part, by paymentId. */
  readonly splits: ReadonlyMap<string, { readonly walletAmount: number; readonly gatewayAmount: number }>;
  /**
   * Watched payments (those hit by crashBeforeRecord): the errors their execution failed with, other
   * than a runtime restart (kill -9). Any entry means the saga stopped and needed a redrive.
   */
  readonly stops: ReadonlyMap<string, readonly string[]>;
  /** DLQ messages by paymentId. */
  readonly dlq: ReadonlyMap<string, readonly DlqEntry[]>;
  /** The run's sandbox gateway charges: payments' (paymentId) and top-ups' (`topup:<topUpId>`). */
  readonly charges: readonly SandboxCharge[];
  /** The top-ups' recorded status by topUpId (SUCCEEDED, FAILED, NEEDS_ATTENTION, ACCEPTED, CHARGED). */
  readonly topUpOutcomes: ReadonlyMap<string, string>;
  /** The top-up sagas' executions by name (= topUpId): their status. */
  readonly topUpExecutions: ReadonlyMap<string, string>;
  readonly ledger: LedgerSnapshot;
  /** The refunds the run sent and the payments they refunded (refund-facts.ts); absent: none sent. */
  readonly refunds?: RefundFacts;
  readonly reconciliation:
    | { readonly discrepancies: readonly Discrepancy[]; readonly payments: number }
    | { readonly error: string };
}

export interface ExpectedPayment {
  readonly paymentId: string;
  readonly walletId: string;
  readonly amount: number;
  readonly currency: string;
}

export interface ExpectedTopUp {
  readonly topUpId: string;
  readonly walletId: string;
  readonly amount: number;
  readonly currency: string;
}

export interface RunExpectations {
  readonly payments: readonly ExpectedPayment[];
  /** Top-ups sent: each must end TopUpSucceeded/TopUpFailed or be in a DLQ with its reason. */
  readonly topUps: readonly ExpectedTopUp[];
  /** Malformed requests sent: each must be in the intake DLQ with a reason. */
  readonly malformed: readonly { readonly paymentId: string }[];
  readonly intakeDlq: string;
  /** Payments whose step died before saving its result (crashBeforeRecord) and met no fault that stops a saga. */
  readonly crashedBeforeRecord: readonly string[];
  /** Refunds sent after their payment succeeded: each must end with an outcome or be refused with a reason. */
  readonly refunds?: readonly ExpectedRefund[];
}

export const CHECK_NAMES = {
  lost: 'lost = 0 (each request: a terminal saga or a DLQ message with its reason)',
  malformed: 'each malformed request parked in the intake DLQ with its reason',
  doubleCharges: 'double charges = 0 (live gateway charges per payment <= 1, net of refunds)',
  chargesAgree:
    'no charge left behind (succeeded: one live charge of its gateway part, none when the wallet covered it; otherwise none)',
  gatewayConserved:
    'money conserved across ledger and gateway (per payment: live gateway charges net of refunds = card part credited to the merchant)',
  unreleasedHolds: 'unreleased holds = 0 (no open hold of a terminal saga outside a DLQ)',
  moneyConserved: 'money conserved per currency (ledger invariants)',
  reconciliation: 'reconciliation clean (discrepancies outside DLQs = 0)',
  crashBeforeRecord:
    'a step that died before saving its result was retried past its lock (no redrive: the execution never failed)',
  ...TOP_UP_CHECK_NAMES,
  ...REFUND_CHECK_NAMES,
} as const;

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

function liveChargesByPayment(charges: readonly SandboxCharge[]): Map<string, SandboxCharge[]> {
  const byPayment = new Map<string, SandboxCharge[]>();
  for (const charge of charges) {
    if (!charge.paymentId || !isLive(charge)) continue;
    byPayment.set(charge.paymentId, [...(byPayment.get(charge.paymentId) ?? []), charge]);
  }
  return byPayment;
}

const inDlq = (facts: RunFacts, paymentId: string) => parkedIn(facts.dlq, paymentId);

export function checkLost(expect: RunExpectations, facts: RunFacts): CheckResult {
  let terminal = 0;
  let parked = 0;
  const lost: string[] = [];
  for (const { paymentId } of expect.payments) {
    const status = facts.executions.get(paymentId);
    if (status && TERMINAL.has(status)) terminal++;
    else if ((facts.dlq.get(paymentId) ?? []).some((entry) => entry.reason.length > 0)) parked++;
    else lost.push(`${paymentId} (${status ?? 'no saga, no DLQ message'})`);
  }
  return result(CHECK_NAMES.lost, lost, `${terminal} terminal sagas, ${parked} in a DLQ with a reason`);
}

export function checkMalformed(expect: RunExpectations, facts: RunFacts): CheckResult {
  const missing = expect.malformed
    .filter(
      ({ paymentId }) =>
        !(facts.dlq.get(paymentId) ?? []).some(
          (entry) => entry.queue === expect.intakeDlq && entry.reasonCode !== undefined,
        ) || facts.executions.has(paymentId),
    )
    .map(({ paymentId }) => paymentId);
  return result(CHECK_NAMES.malformed, missing, `${expect.malformed.length} in ${expect.intakeDlq}`);
}

export function checkDoubleCharges(expect: RunExpectations, facts: RunFacts): CheckResult {
  const live = liveChargesByPayment(facts.charges);
  const twice = expect.payments
    .filter((p) => (live.get(p.paymentId) ?? []).length > 1)
    .map((p) => `${p.paymentId} (${live.get(p.paymentId)?.length} live charges)`);
  return result(CHECK_NAMES.doubleCharges, twice, `${facts.charges.length} charges, none twice`);
}

export function checkChargesAgree(expect: RunExpectations, facts: RunFacts): CheckResult {
  const live = liveChargesByPayment(facts.charges);
  const off = expect.payments.flatMap((p) => {
    const status = facts.outcomes.get(p.paymentId) ?? facts.executions.get(p.paymentId);
    const charges = live.get(p.paymentId) ?? [];
    if (facts.outcomes.get(p.paymentId) === 'SUCCEEDED') {
      const due = facts.splits.get(p.paymentId)?.gatewayAmount ?? p.amount;
      // Refunds after success: a card part refunded in full leaves no live charge (a partial one leaves it live).
      const refundedCard = facts.refunds?.payments.get(p.paymentId)?.refundedGateway ?? 0;
      if (due === 0 || (refundedCard > 0 && refundedCard >= due))
        return charges.length === 0
          ? []
          : [
              `${p.paymentId} (succeeded ${due === 0 ? 'from the wallet' : 'and its card part refunded'}, ${charges.length} live charges)`,
            ];
      const one = charges.length === 1 && charges[0];
      return one && one.amount === due && one.currency === p.currency
        ? []
        : [`${p.paymentId} (succeeded, card part ${due}, ${charges.length} live charges)`];
    }
    if (charges.length === 0 || inDlq(facts, p.paymentId)) return [];
    return [`${p.paymentId} (${status ?? 'no saga'}, charged, not in a DLQ)`];
  });
  return result(CHECK_NAMES.chargesAgree, off, 'every charge matches its saga');
}

export function checkUnreleasedHolds(expect: RunExpectations, facts: RunFacts): CheckResult {
  const wallets = new Map<string, Wallet>(facts.ledger.wallets.map((w) => [w.walletId, w]));
  const open = expect.payments.flatMap((p) => {
    const status = facts.executions.get(p.paymentId);
    if (!status || !TERMINAL.has(status) || inDlq(facts, p.paymentId)) return [];
    const hold = wallets.get(p.walletId)?.holds[p.paymentId];
    if (facts.outcomes.get(p.paymentId) === 'SUCCEEDED') {
      // Wallet first: a payment the card paid in full held nothing.
      const expected = facts.splits.get(p.paymentId)?.walletAmount === 0 ? undefined : 'POSTED';
      return hold?.state === expected ? [] : [`${p.paymentId} (succeeded, hold ${hold?.state ?? 'none'})`];
    }
    return hold?.state === 'PENDING' ? [`${p.paymentId} (${status}, hold PENDING)`] : [];
  });
  return result(CHECK_NAMES.unreleasedHolds, open, 'no hold left open');
}

export function checkCrashBeforeRecord(expect: RunExpectations, facts: RunFacts): CheckResult {
  const stopped = expect.crashedBeforeRecord.flatMap((paymentId) => {
    const errors = facts.stops.get(paymentId) ?? [];
    return errors.length > 0 ? [`${paymentId} (stopped: ${errors.join(', ')})`] : [];
  });
  return result(
    CHECK_NAMES.crashBeforeRecord,
    stopped,
    `${expect.crashedBeforeRecord.length} sagas hit, none stopped`,
  );
}

export function checkMoneyConserved(facts: RunFacts): CheckResult {
  const report = checkLedgerInvariants(facts.ledger);
  const totals = Object.entries(report.totalsByCurrency)
    .map(([currency, total]) => `${currency} ${total}`)
    .join(', ');
  return result(CHECK_NAMES.moneyConserved, report.violations, `journal totals: ${totals || 'none'}`);
}

/**
 * Wallet debits + gateway charges = merchant credits, per currency: the ledger's invariants balance the
 * wallet side; this balances the gateway side, payment by payment (outside DLQs): what the gateway still
 * holds of its charges equals the card part the journal credited the merchant (settle_card - refund_card -
 * the gateway part of the refund saga's refund_part entries).
 */
export function checkGatewayConserved(expect: RunExpectations, facts: RunFacts): CheckResult {
  const cardCredited = new Map<string, number>();
  const gatewayTotals: Record<string, number> = {};
  for (const entry of facts.ledger.entries) {
    const credit = cardCreditOf(entry); // a refund saga's refund_part counts against its payment
    if (!credit) continue;
    cardCredited.set(credit.paymentId, (cardCredited.get(credit.paymentId) ?? 0) + credit.amount);
    gatewayTotals[entry.currency] = (gatewayTotals[entry.currency] ?? 0) + credit.amount;
  }
  const charged = new Map<string, number>();
  for (const charge of facts.charges) {
    if (!charge.paymentId) continue;
    charged.set(charge.paymentId, (charged.get(charge.paymentId) ?? 0) + charge.amount - charge.refunded);
  }
  const off = expect.payments.flatMap((p) => {
    if (inDlq(facts, p.paymentId)) return [];
    const net = charged.get(p.paymentId) ?? 0;
    const credited = cardCredited.get(p.paymentId) ?? 0;
    return net === credited ? [] : [`${p.paymentId} (gateway kept ${net}, merchant credited ${credited})`];
  });
  const totals = Object.entries(gatewayTotals)
    .map(([currency, total]) => `${currency} ${total}`)
    .join(', ');
  return result(CHECK_NAMES.gatewayConserved, off, `card parts credited: ${totals || 'none'}`);
}

export function checkReconciliation(facts: RunFacts): CheckResult {
  const { reconciliation } = facts;
  if ('error' in reconciliation) {
    return result(CHECK_NAMES.reconciliation, [`reconciliation failed: ${reconciliation.error}`], '');
  }
  const unexplained = reconciliation.discrepancies
    .filter((d) => !(d.paymentId && inDlq(facts, d.paymentId)))
    .map((d) => `${d.kind}${d.paymentId ? ` ${d.paymentId}` : ''}`);
  const explained = reconciliation.discrepancies.length - unexplained.length;
  return result(
    CHECK_NAMES.reconciliation,
    unexplained,
    `${reconciliation.payments} payments, ${explained} discrepancies of payments parked in a DLQ`,
  );
}

export function runChecks(expect: RunExpectations, facts: RunFacts): CheckResult[] {
  return [
    checkLost(expect, facts),
    checkMalformed(expect, facts),
    checkDoubleCharges(expect, facts),
    checkChargesAgree(expect, facts),
    checkUnreleasedHolds(expect, facts),
    checkMoneyConserved(facts),
    checkGatewayConserved(expect, facts),
    checkReconciliation(facts),
    checkCrashBeforeRecord(expect, facts),
    ...runTopUpChecks(expect, facts),
    ...runRefundChecks(expect.refunds ?? [], facts.refunds ?? NO_REFUNDS),
  ];
}
