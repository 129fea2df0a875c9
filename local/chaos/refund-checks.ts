/**
 * The chaos run's refund checks, pure functions of the refund facts
 * (refund-facts.ts): no refund lost, refunded never more than captured (per
 * payment and per source), each refund posted at most once in the ledger and
 * at the gateway, and each refund's end agreeing with its money.
 */
import { type CheckResult, result } from './check-result';
import type { RefundFact, RefundFacts } from './refund-facts';

export interface ExpectedRefund {
  readonly refundId: string;
  readonly paymentId: string;
}

export const REFUND_CHECK_NAMES = {
  refundsLost:
    'refunds lost = 0 (each refund sent: SUCCEEDED, FAILED or NEEDS_ATTENTION with an outcome, or refused at the refund intake with a reason)',
  refundedWithinCaptured:
    'refunded <= captured per payment and per source (payment counters, ledger reversals, gateway refunds)',
  refundDoublePosts:
    'refund double posts = 0 (per refund: refund_part entries <= 1, gateway refunds keyed refund:<paymentId>:<refundId> <= 1)',
  refundsAgree:
    "a refund's end agrees with its money (SUCCEEDED: one reversal of its parts, its card part refunded at the gateway, reservation REFUNDED; FAILED: none of it, reservation not held)",
} as const;

const ENDED = new Set(['SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION']);
const RUNNING = 'RUNNING';
/** The gateway's refunds of a refund: the sandbox keeps only refunds it made (a refused one is an API error). */
const liveGatewayRefunds = (fact: RefundFact) => fact.gatewayRefunds;
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

export function checkRefundsLost(expected: readonly ExpectedRefund[], facts: RefundFacts): CheckResult {
  let ended = 0;
  let refused = 0;
  const lost = expected.flatMap(({ refundId }) => {
    const fact = facts.refunds.get(refundId);
    if (fact?.status && ENDED.has(fact.status) && fact.execution !== RUNNING) {
      ended++;
      return [];
    }
    if (
      !fact?.status &&
      fact?.dlq.some((entry) => entry.reasonCode !== undefined && entry.reason.length > 0)
    ) {
      refused++;
      return [];
    }
    return [`${refundId} (${fact?.status ?? 'no record'}, saga ${fact?.execution ?? 'none'})`];
  });
  return result(
    REFUND_CHECK_NAMES.refundsLost,
    lost,
    `${ended} ended with an outcome, ${refused} refused at the refund intake with a reason`,
  );
}

export function checkRefundedWithinCaptured(facts: RefundFacts): CheckResult {
  const byPayment = new Map<string, RefundFact[]>();
  for (const fact of facts.refunds.values()) {
    byPayment.set(fact.paymentId, [...(byPayment.get(fact.paymentId) ?? []), fact]);
  }
  const over = [...facts.payments].flatMap(([paymentId, p]) => {
    const theirs = byPayment.get(paymentId) ?? [];
    const postedWallet = sum(theirs.flatMap((f) => f.postings.map((x) => x.walletAmount)));
    const postedGateway = sum(theirs.flatMap((f) => f.postings.map((x) => x.gatewayAmount)));
    const atGateway = sum(theirs.flatMap((f) => liveGatewayRefunds(f).map((r) => r.amount)));
    const problems = [
      p.refunded > p.captured && `refunded ${p.refunded} > captured ${p.captured}`,
      p.refundedWallet > p.walletAmount && `wallet refunded ${p.refundedWallet} > ${p.walletAmount}`,
      p.refundedGateway > p.gatewayAmount && `card refunded ${p.refundedGateway} > ${p.gatewayAmount}`,
      postedWallet + postedGateway > p.captured &&
        `reversals ${postedWallet + postedGateway} > captured ${p.captured}`,
      postedWallet > p.walletAmount && `wallet reversals ${postedWallet} > ${p.walletAmount}`,
      postedGateway > p.gatewayAmount && `card reversals ${postedGateway} > ${p.gatewayAmount}`,
      atGateway > p.gatewayAmount && `gateway refunds ${atGateway} > card part ${p.gatewayAmount}`,
    ].filter((problem): problem is string => typeof problem === 'string');
    return problems.length > 0 ? [`${paymentId} (${problems.join('; ')})`] : [];
  });
  const refunded = sum([...facts.payments.values()].map((p) => p.refunded));
  const captured = sum([...facts.payments.values()].map((p) => p.captured));
  return result(
    REFUND_CHECK_NAMES.refundedWithinCaptured,
    over,
    `${facts.payments.size} payments: refunded ${refunded} of ${captured} captured`,
  );
}

export function checkRefundDoublePosts(facts: RefundFacts): CheckResult {
  const twice = [...facts.refunds.values()].flatMap((fact) => {
    const gateway = liveGatewayRefunds(fact).length;
    return fact.postings.length > 1 || gateway > 1
      ? [`${fact.refundId} (${fact.postings.length} refund_part entries, ${gateway} gateway refunds)`]
      : [];
  });
  const posted = [...facts.refunds.values()].filter((f) => f.postings.length > 0).length;
  return result(REFUND_CHECK_NAMES.refundDoublePosts, twice, `${posted} refunds posted, none twice`);
}

/** What is off with one ended refund's money, or undefined. */
function disagreement(fact: RefundFact): string | undefined {
  const gateway = liveGatewayRefunds(fact);
  const atGateway = sum(gateway.map((r) => r.amount));
  if (fact.status === 'SUCCEEDED') {
    const [posted] = fact.postings;
    const parts = fact.parts;
    if (!parts || !posted) return `succeeded, ${fact.postings.length} reversals`;
    if (posted.walletAmount !== parts.walletAmount || posted.gatewayAmount !== parts.gatewayAmount)
      return `succeeded as ${parts.walletAmount}+${parts.gatewayAmount}, reversal ${posted.walletAmount}+${posted.gatewayAmount}`;
    if (atGateway !== parts.gatewayAmount)
      return `card part ${parts.gatewayAmount}, gateway refunded ${atGateway}`;
    if (fact.reservation !== 'REFUNDED') return `succeeded, reservation ${fact.reservation ?? 'none'}`;
    return undefined;
  }
  if (fact.status === 'FAILED') {
    if (fact.postings.length > 0) return `failed, ${fact.postings.length} reversals`;
    if (atGateway > 0) return `failed, gateway refunded ${atGateway}`;
    if (fact.reservation === 'RESERVED' || fact.reservation === 'REFUNDED')
      return `failed, reservation ${fact.reservation}`;
  }
  return undefined;
}

export function checkRefundsAgree(facts: RefundFacts): CheckResult {
  const off = [...facts.refunds.values()].flatMap((fact) => {
    const what = disagreement(fact);
    return what ? [`${fact.refundId} (${what})`] : [];
  });
  const counts: Record<string, number> = {};
  for (const fact of facts.refunds.values()) {
    const status = fact.status ?? 'refused';
    counts[status] = (counts[status] ?? 0) + 1;
  }
  const figures = Object.entries(counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  return result(REFUND_CHECK_NAMES.refundsAgree, off, figures || 'no refunds');
}

export function runRefundChecks(expected: readonly ExpectedRefund[], facts: RefundFacts): CheckResult[] {
  return [
    checkRefundsLost(expected, facts),
    checkRefundedWithinCaptured(facts),
    checkRefundDoublePosts(facts),
    checkRefundsAgree(facts),
  ];
}
