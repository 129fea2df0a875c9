import { describe, expect, it } from 'vitest';
import {
  CHECK_NAMES,
  checkChargesAgree,
  type RunExpectations,
  type RunFacts,
} from '../../local/chaos/checks';
import { REFUND_CHECK_NAMES, runRefundChecks } from '../../local/chaos/refund-checks';
import type { RefundFact, RefundFacts } from '../../local/chaos/refund-facts';
import type { SandboxCharge } from '../../local/sandbox-gateway/server';

/**
 * The chaos run's refund checks (local/chaos/refund-checks.ts) over refund
 * facts: a clean set passes, and each way a refund can go wrong is named.
 */

/** A payment of 1,000: 600 from the wallet, 400 by card. */
const CAPTURED = { captured: 1_000, walletAmount: 600, gatewayAmount: 400 };

/** A clean set: r0 refunded 500 (400 card + 100 wallet), r1 failed for good, r2 refused at the refund intake. */
function cleanRefunds(prefix: string) {
  const paymentId = `${prefix}-p0`;
  const succeeded: RefundFact = {
    refundId: `${prefix}-r0`,
    paymentId,
    status: 'SUCCEEDED',
    parts: { walletAmount: 100, gatewayAmount: 400 },
    reservation: 'REFUNDED',
    execution: 'SUCCEEDED',
    postings: [{ walletAmount: 100, gatewayAmount: 400 }],
    gatewayRefunds: [{ id: 're_1', amount: 400, status: 'succeeded' }],
    dlq: [],
  };
  const failed: RefundFact = {
    refundId: `${prefix}-r1`,
    paymentId,
    status: 'FAILED',
    reservation: 'RELEASED',
    execution: 'SUCCEEDED',
    postings: [],
    gatewayRefunds: [],
    dlq: [],
  };
  const refused: RefundFact = {
    refundId: `${prefix}-r2`,
    paymentId,
    postings: [],
    gatewayRefunds: [],
    dlq: [{ queue: 'refund-intake-dlq', reasonCode: 'refund_exceeds_refundable', reason: 'has 500 left' }],
  };
  const facts: RefundFacts = {
    refunds: new Map([succeeded, failed, refused].map((f) => [f.refundId, f])),
    payments: new Map([
      [paymentId, { ...CAPTURED, refunded: 500, refundedWallet: 100, refundedGateway: 400 }],
    ]),
  };
  const expected = [succeeded, failed, refused].map(({ refundId }) => ({ refundId, paymentId }));
  return { paymentId, succeeded, failed, refused, facts, expected };
}

const failing = (expected: ReturnType<typeof cleanRefunds>['expected'], facts: RefundFacts) =>
  runRefundChecks(expected, facts).filter((check) => !check.ok);

const withRefund = (facts: RefundFacts, fact: RefundFact): RefundFacts => ({
  ...facts,
  refunds: new Map([...facts.refunds, [fact.refundId, fact]]),
});

describe('chaos refund checks', () => {
  it('pass a clean set: one refunded, one failed, one refused at intake with its reason', () => {
    // Prepare
    const { facts, expected } = cleanRefunds('rc-clean');

    // Act
    const checks = runRefundChecks(expected, facts);

    // Assess
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual(Object.values(REFUND_CHECK_NAMES));
    expect(checks[0]?.detail).toBe('2 ended with an outcome, 1 refused at the refund intake with a reason');
  });

  it('count a refund lost when it has not ended (or has no record and no DLQ message)', () => {
    // Prepare
    const { facts, expected, paymentId } = cleanRefunds('rc-lost');
    const stuck: RefundFact = {
      refundId: 'rc-lost-r3',
      paymentId,
      status: 'RESERVED',
      execution: 'RUNNING',
      postings: [],
      gatewayRefunds: [],
      dlq: [],
    };
    const vanished: RefundFact = {
      refundId: 'rc-lost-r4',
      paymentId,
      postings: [],
      gatewayRefunds: [],
      dlq: [],
    };

    // Act
    const checks = failing(
      [...expected, { refundId: stuck.refundId, paymentId }, { refundId: vanished.refundId, paymentId }],
      withRefund(withRefund(facts, stuck), vanished),
    );

    // Assess
    expect(checks).toEqual([
      expect.objectContaining({
        name: REFUND_CHECK_NAMES.refundsLost,
        violations: 2,
        detail: expect.stringContaining('rc-lost-r3 (RESERVED, saga RUNNING)'),
      }),
    ]);
  });

  it('count a refund posted twice in the ledger or refunded twice at the gateway', () => {
    // Prepare
    const { facts, expected, succeeded } = cleanRefunds('rc-twice');
    const postedTwice = { ...succeeded, postings: [...succeeded.postings, ...succeeded.postings] };
    const refundedTwice = {
      ...succeeded,
      gatewayRefunds: [
        ...succeeded.gatewayRefunds,
        { id: 're_2', amount: 400, status: 'succeeded' as const },
      ],
    };

    // Act
    const ledger = failing(expected, withRefund(facts, postedTwice)).map((c) => c.name);
    const gateway = failing(expected, withRefund(facts, refundedTwice)).map((c) => c.name);

    // Assess
    expect(ledger).toContain(REFUND_CHECK_NAMES.refundDoublePosts);
    expect(ledger).toContain(REFUND_CHECK_NAMES.refundedWithinCaptured);
    expect(gateway).toContain(REFUND_CHECK_NAMES.refundDoublePosts);
    expect(gateway).toContain(REFUND_CHECK_NAMES.refundedWithinCaptured);
  });

  it('count a payment refunded beyond what was captured, in total or from one source', () => {
    // Prepare
    const { facts, expected, paymentId } = cleanRefunds('rc-over');
    const overCard: RefundFacts = {
      ...facts,
      payments: new Map([
        [paymentId, { ...CAPTURED, refunded: 500, refundedWallet: 0, refundedGateway: 500 }],
      ]),
    };
    const overAll: RefundFacts = {
      ...facts,
      payments: new Map([
        [paymentId, { ...CAPTURED, refunded: 1_100, refundedWallet: 600, refundedGateway: 400 }],
      ]),
    };

    // Act
    const card = failing(expected, overCard);
    const all = failing(expected, overAll);

    // Assess
    expect(card).toEqual([
      expect.objectContaining({
        name: REFUND_CHECK_NAMES.refundedWithinCaptured,
        detail: expect.stringContaining('card refunded 500 > 400'),
      }),
    ]);
    expect(all).toEqual([
      expect.objectContaining({ detail: expect.stringContaining('refunded 1100 > captured 1000') }),
    ]);
  });

  it('count a refund whose end disagrees with its money', () => {
    // Prepare
    const { facts, expected, succeeded, failed } = cleanRefunds('rc-agree');
    const succeededUnrefunded = { ...succeeded, gatewayRefunds: [] };
    const succeededOtherParts = { ...succeeded, postings: [{ walletAmount: 500, gatewayAmount: 0 }] };
    const failedButPosted = { ...failed, postings: [{ walletAmount: 100, gatewayAmount: 0 }] };
    const failedStillReserved = { ...failed, reservation: 'RESERVED' };

    // Act
    const details = [succeededUnrefunded, succeededOtherParts, failedButPosted, failedStillReserved].map(
      (fact) =>
        failing(expected, withRefund(facts, fact)).find((c) => c.name === REFUND_CHECK_NAMES.refundsAgree)
          ?.detail,
    );

    // Assess
    expect(details).toEqual([
      expect.stringContaining('card part 400, gateway refunded 0'),
      expect.stringContaining('succeeded as 100+400, reversal 500+0'),
      expect.stringContaining('failed, 1 reversals'),
      expect.stringContaining('failed, reservation RESERVED'),
    ]);
  });

  it('charges agree: a succeeded payment whose card part was refunded in full keeps no live charge', () => {
    // Prepare
    const { facts: refunds, paymentId } = cleanRefunds('rc-charge');
    const charge = (refunded: number): SandboxCharge => ({
      id: 'pi_1',
      paymentId,
      amount: 400,
      currency: 'EUR',
      status: 'succeeded',
      created: 0,
      paymentMethod: 'pm_card_visa',
      refunded,
    });
    const expect_: RunExpectations = {
      payments: [{ paymentId, walletId: 'rc-charge-w0', amount: 1_000, currency: 'EUR' }],
      topUps: [],
      malformed: [],
      intakeDlq: 'intake-dlq',
      crashedBeforeRecord: [],
    };
    const facts = (refunded: number, refundedGateway: number): RunFacts => ({
      executions: new Map([[paymentId, 'SUCCEEDED']]),
      outcomes: new Map([[paymentId, 'SUCCEEDED']]),
      splits: new Map([[paymentId, { walletAmount: 600, gatewayAmount: 400 }]]),
      stops: new Map(),
      dlq: new Map(),
      charges: [charge(refunded)],
      topUpOutcomes: new Map(),
      topUpExecutions: new Map(),
      ledger: { wallets: [], entries: [] },
      refunds: {
        ...refunds,
        payments: new Map([
          [paymentId, { ...CAPTURED, refunded: refundedGateway, refundedWallet: 0, refundedGateway }],
        ]),
      },
      reconciliation: { discrepancies: [], payments: 1 },
    });

    // Act
    const refundedInFull = checkChargesAgree(expect_, facts(400, 400));
    const refundedInPart = checkChargesAgree(expect_, facts(100, 100));
    const leftCharged = checkChargesAgree(expect_, facts(0, 400));

    // Assess
    expect(refundedInFull.ok).toBe(true);
    expect(refundedInPart.ok).toBe(true);
    expect(leftCharged).toMatchObject({ name: CHECK_NAMES.chargesAgree, ok: false });
  });
});
