/**
 * The chaos run's checks of its top-ups (TopUpRequested mixed into the stream, on wallets that also pay):
 * none lost, none charged twice, a succeeded top-up credited once with what the gateway kept, a failed one
 * neither credited nor charged, and per currency what the gateway kept of the run's charges (top-ups and
 * payments' card parts, net of refunds) equal to what the ledger credited for them. Pure functions of the
 * facts facts.ts collects.
 */
import {
  depositRef,
  GATEWAY_ACCOUNT,
  isCardEntry,
  type JournalEntry,
  paymentIdOfRefundPartRef,
  walletAccount,
} from '../../core/ledger';
import { gatewayRefOf } from '../../core/topups/keys';
import type { SandboxCharge } from '../sandbox-gateway/server';
import { type CheckResult, isLive, netOf, parkedIn, result } from './check-result';
import type { ExpectedTopUp, RunExpectations, RunFacts } from './checks';

export const TOP_UP_CHECK_NAMES = {
  topUpsLost: 'top-ups lost = 0 (each top-up: TopUpSucceeded, TopUpFailed or a DLQ message with its reason)',
  topUpDoubleCharges: 'top-up double charges = 0 (live gateway charges per top-up <= 1, net of refunds)',
  topUpCredits:
    'top-up credits agree (succeeded: one wallet credit = its net gateway charge; failed: no credit, no standing charge)',
  conservedWithTopUps:
    'money conserved across ledger and gateway per currency, top-ups included (gateway net of refunds = top-up credits + card parts credited)',
} as const;

const ENDED = new Set(['SUCCEEDED', 'FAILED']);

/** The gateway charges of each top-up, by topUpId (their paymentId is `topup:<topUpId>`). */
function chargesByTopUp(topUps: readonly ExpectedTopUp[], charges: readonly SandboxCharge[]) {
  const ids = new Map(topUps.map((t) => [gatewayRefOf(t.topUpId), t.topUpId]));
  const byTopUp = new Map<string, SandboxCharge[]>();
  for (const charge of charges) {
    const topUpId = charge.paymentId === undefined ? undefined : ids.get(charge.paymentId);
    if (topUpId !== undefined) byTopUp.set(topUpId, [...(byTopUp.get(topUpId) ?? []), charge]);
  }
  return byTopUp;
}

/** The wallet credits of each top-up: its deposit's journal entries (ref deposit:<topUpId>), by topUpId. */
function creditsByTopUp(topUps: readonly ExpectedTopUp[], entries: readonly JournalEntry[]) {
  const ids = new Map(topUps.map((t) => [depositRef(t.topUpId), t.topUpId]));
  const byTopUp = new Map<string, number[]>();
  for (const entry of entries) {
    const topUpId = ids.get(entry.ref);
    if (topUpId === undefined || entry.operation !== 'deposit') continue;
    const credited = entry.lines
      .filter((line) => line.account === walletAccount(entry.walletId))
      .reduce((sum, line) => sum + line.amount, 0);
    byTopUp.set(topUpId, [...(byTopUp.get(topUpId) ?? []), credited]);
  }
  return byTopUp;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

export function checkTopUpsLost(expect: RunExpectations, facts: RunFacts): CheckResult {
  let ended = 0;
  let parked = 0;
  const lost: string[] = [];
  for (const { topUpId } of expect.topUps) {
    const outcome = facts.topUpOutcomes.get(topUpId);
    if (outcome && ENDED.has(outcome)) ended++;
    else if ((facts.dlq.get(topUpId) ?? []).some((entry) => entry.reason.length > 0)) parked++;
    else {
      const saga = facts.topUpExecutions.get(topUpId);
      lost.push(
        `${topUpId} (${outcome ?? 'no record'}, ${saga ? `saga ${saga}` : 'no saga'}, no DLQ message)`,
      );
    }
  }
  return result(TOP_UP_CHECK_NAMES.topUpsLost, lost, `${ended} ended, ${parked} in a DLQ with a reason`);
}

export function checkTopUpDoubleCharges(expect: RunExpectations, facts: RunFacts): CheckResult {
  const byTopUp = chargesByTopUp(expect.topUps, facts.charges);
  const twice = expect.topUps.flatMap(({ topUpId }) => {
    const live = (byTopUp.get(topUpId) ?? []).filter(isLive);
    return live.length > 1 ? [`${topUpId} (${live.length} live charges)`] : [];
  });
  const charged = [...byTopUp.values()].reduce((n, charges) => n + charges.length, 0);
  return result(TOP_UP_CHECK_NAMES.topUpDoubleCharges, twice, `${charged} top-up charges, none twice`);
}

export function checkTopUpCredits(expect: RunExpectations, facts: RunFacts): CheckResult {
  const charges = chargesByTopUp(expect.topUps, facts.charges);
  const credits = creditsByTopUp(expect.topUps, facts.ledger.entries);
  let credited = 0;
  const off = expect.topUps.flatMap(({ topUpId }) => {
    if (parkedIn(facts.dlq, topUpId)) return [];
    const net = sum((charges.get(topUpId) ?? []).map(netOf));
    const found = credits.get(topUpId) ?? [];
    const outcome = facts.topUpOutcomes.get(topUpId);
    if (outcome === 'SUCCEEDED') {
      if (found.length === 1 && found[0] === net && net > 0) {
        credited++;
        return [];
      }
      return [`${topUpId} (succeeded, ${found.length} credits of ${sum(found)}, gateway kept ${net})`];
    }
    if (found.length > 0)
      return [`${topUpId} (${outcome ?? 'no record'}, credited ${sum(found)}, gateway kept ${net})`];
    if (net > 0) return [`${topUpId} (${outcome ?? 'no record'}, not credited, gateway kept ${net})`];
    return [];
  });
  return result(TOP_UP_CHECK_NAMES.topUpCredits, off, `${credited} credited once with their net charge`);
}

/**
 * What a journal entry credited the merchant from the gateway for a payment's card part: settle_card
 * +card, refund_card -card, and a refund saga's refund_part -g (its gateway part, ref
 * `refund:<paymentId>:<refundId>`, counted against its payment); undefined for other entries.
 */
export function cardCreditOf(entry: JournalEntry): { paymentId: string; amount: number } | undefined {
  const paymentId =
    entry.operation === 'refund_part'
      ? paymentIdOfRefundPartRef(entry.ref)
      : isCardEntry(entry)
        ? entry.ref
        : undefined;
  if (paymentId === undefined) return undefined;
  const toGateway = entry.lines
    .filter((line) => line.account === GATEWAY_ACCOUNT)
    .reduce((total, line) => total + line.amount, 0);
  return { paymentId, amount: -toGateway };
}

/**
 * Per currency, outside DLQs: what the gateway kept of the run's charges (top-ups' and payments', net of
 * refunds) = what the ledger credited for them (top-up deposits + payments' card parts, settle_card -
 * refund_card - refund_part's gateway part). The wallet side (deposits, holds, settles) balances by the ledger's own invariants.
 */
export function checkConservedWithTopUps(expect: RunExpectations, facts: RunFacts): CheckResult {
  const gateway: Record<string, number> = {};
  const ledger: Record<string, number> = {};
  const topUpCredits: Record<string, number> = {};
  const add = (record: Record<string, number>, currency: string, amount: number) => {
    record[currency] = (record[currency] ?? 0) + amount;
  };
  const counted = new Set([
    ...expect.payments.map((p) => p.paymentId).filter((id) => !parkedIn(facts.dlq, id)),
    ...expect.topUps.filter((t) => !parkedIn(facts.dlq, t.topUpId)).map((t) => gatewayRefOf(t.topUpId)),
  ]);
  for (const charge of facts.charges) {
    if (charge.paymentId !== undefined && counted.has(charge.paymentId))
      add(gateway, charge.currency, netOf(charge));
  }
  const credits = creditsByTopUp(expect.topUps, facts.ledger.entries);
  const currencyOf = new Map(expect.topUps.map((t) => [t.topUpId, t.currency]));
  for (const [topUpId, amounts] of credits) {
    if (parkedIn(facts.dlq, topUpId)) continue;
    add(ledger, currencyOf.get(topUpId) ?? '?', sum(amounts));
    add(topUpCredits, currencyOf.get(topUpId) ?? '?', sum(amounts));
  }
  for (const entry of facts.ledger.entries) {
    const credit = cardCreditOf(entry);
    if (credit && counted.has(credit.paymentId)) add(ledger, entry.currency, credit.amount);
  }
  const currencies = [...new Set([...Object.keys(gateway), ...Object.keys(ledger)])].sort();
  const off = currencies
    .filter((c) => (gateway[c] ?? 0) !== (ledger[c] ?? 0))
    .map((c) => `${c} (gateway kept ${gateway[c] ?? 0}, ledger credited ${ledger[c] ?? 0})`);
  const agreed = currencies
    .map((c) => `${c} ${gateway[c] ?? 0} (top-ups ${topUpCredits[c] ?? 0})`)
    .join(', ');
  return result(TOP_UP_CHECK_NAMES.conservedWithTopUps, off, `gateway = ledger: ${agreed || 'none'}`);
}

export function runTopUpChecks(expect: RunExpectations, facts: RunFacts): CheckResult[] {
  return [
    checkTopUpsLost(expect, facts),
    checkTopUpDoubleCharges(expect, facts),
    checkTopUpCredits(expect, facts),
    checkConservedWithTopUps(expect, facts),
  ];
}
