import { describe, expect, it } from 'vitest';
import { cardEntry, entriesForWallet, type Hold, type Wallet } from '../../core/ledger';
import {
  CHECK_NAMES,
  type CheckResult,
  type DlqEntry,
  type RunExpectations,
  type RunFacts,
  runChecks,
} from '../../local/chaos/checks';
import type { SandboxCharge } from '../../local/sandbox-gateway/server';

const INTAKE_DLQ = 'paysaga-test-intake-dlq';

/** The card part of each payment of a clean run (wallet first: the wallet holds the rest). */
const CARD = 40;
/** The first top-up's amount (charged and credited); the second, 200 more, is declined and refunded. */
const TOP_UP = 500;

/** A clean run of `n` succeeded payments on one wallet, each paid by the wallet and a card: every check holds. */
function cleanRun(prefix: string, n = 3) {
  const walletId = `${prefix}-w0`;
  const payments = Array.from({ length: n }, (_, i) => ({
    paymentId: `${prefix}-p${i}`,
    walletId,
    amount: 100 + i,
    currency: 'EUR',
  }));
  // Two top-ups of the same wallet: t0 charged and credited, t1 declined after a charge refunded in full.
  const topUps = [TOP_UP, TOP_UP + 200].map((amount, i) => ({
    topUpId: `${prefix}-t${i}`,
    walletId,
    amount,
    currency: 'EUR',
  }));
  const captured = payments.reduce((sum, p) => sum + p.amount - CARD, 0);
  const deposit = 10_000;
  const at = '2026-01-01T00:00:00.000Z';
  const posted = (amount: number): Hold => ({
    state: 'POSTED',
    amount,
    captured: amount,
    expiresAt: '2999-01-01T00:00:00.000Z',
    reservedAt: at,
    postedAt: at,
    merchantId: 'mer_chk',
  });
  const wallet: Wallet = {
    walletId,
    currency: 'EUR',
    available: deposit + TOP_UP - captured,
    held: 0,
    holds: Object.fromEntries(payments.map((p) => [p.paymentId, posted(p.amount - CARD)])),
    deposits: { [`${walletId}-seed`]: { amount: deposit, at }, [`${prefix}-t0`]: { amount: TOP_UP, at } },
    createdAt: at,
  };
  const expect: RunExpectations = {
    payments,
    topUps,
    malformed: [{ paymentId: `${prefix}-bad0` }],
    intakeDlq: INTAKE_DLQ,
    crashedBeforeRecord: [],
  };
  const charges: SandboxCharge[] = [
    ...payments.map((p, i) => ({
      id: `pi_${prefix}_${i}`,
      paymentId: p.paymentId,
      amount: CARD,
      currency: 'EUR',
      status: 'succeeded' as const,
      created: 1,
      paymentMethod: 'pm_card_visa',
      refunded: 0,
    })),
    ...topUps.map((t, i) => ({
      id: `pi_${prefix}_t${i}`,
      paymentId: `topup:${t.topUpId}`,
      amount: t.amount,
      currency: 'EUR',
      status: 'succeeded' as const,
      created: 1,
      paymentMethod: 'pm_card_visa',
      refunded: i === 0 ? 0 : t.amount,
    })),
  ];
  const dlq = new Map<string, DlqEntry[]>([
    [
      `${prefix}-bad0`,
      [{ queue: INTAKE_DLQ, reasonCode: 'invalid_event', reason: 'amount.value: not an integer' }],
    ],
  ]);
  const facts: RunFacts = {
    executions: new Map(payments.map((p) => [p.paymentId, 'SUCCEEDED'])),
    outcomes: new Map(payments.map((p) => [p.paymentId, 'SUCCEEDED'])),
    splits: new Map(
      payments.map((p) => [p.paymentId, { walletAmount: p.amount - CARD, gatewayAmount: CARD }]),
    ),
    stops: new Map(),
    dlq,
    charges,
    topUpOutcomes: new Map(topUps.map((t, i) => [t.topUpId, i === 0 ? 'SUCCEEDED' : 'FAILED'])),
    topUpExecutions: new Map(topUps.map((t) => [t.topUpId, 'SUCCEEDED'])),
    ledger: {
      wallets: [wallet],
      entries: [
        ...entriesForWallet(wallet),
        ...payments.map((p) =>
          cardEntry(wallet, p.paymentId, { merchantId: 'mer_chk', amount: CARD, at }, 'settle_card'),
        ),
      ],
    },
    reconciliation: { discrepancies: [], payments: n },
  };
  return { expect, facts, payments, topUps, wallet };
}

const byName = (results: CheckResult[], name: string) => results.find((r) => r.name === name);

describe('chaos checks', () => {
  it('pass on a clean run (the baseline the other tests break)', () => {
    // Prepare
    const { expect: expected, facts } = cleanRun('chk-clean');

    // Act
    const results = runChecks(expected, facts);

    // Assess
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it('count a payment with neither a terminal saga nor a DLQ message as lost, and name it', () => {
    // Prepare
    const { expect: expected, facts, payments } = cleanRun('chk-lost');
    const lostId = payments[1]?.paymentId as string;
    const executions = new Map(facts.executions);
    executions.delete(lostId);
    const running = payments[2]?.paymentId as string;
    executions.set(running, 'RUNNING');

    // Act
    const lost = byName(runChecks(expected, { ...facts, executions }), CHECK_NAMES.lost);

    // Assess
    expect(lost?.ok).toBe(false);
    expect(lost?.violations).toBe(2);
    expect(lost?.detail).toContain(lostId);
    expect(lost?.detail).toContain(`${running} (RUNNING)`);
  });

  it('accept a payment parked in a DLQ with its reason as accounted for', () => {
    // Prepare
    const { expect: expected, facts, payments } = cleanRun('chk-parked');
    const parked = payments[0]?.paymentId as string;
    const executions = new Map(facts.executions);
    executions.delete(parked);
    const dlq = new Map(facts.dlq);
    dlq.set(parked, [{ queue: INTAKE_DLQ, reasonCode: undefined, reason: 'consumer failed 5 times' }]);

    // Act
    const lost = byName(runChecks(expected, { ...facts, executions, dlq }), CHECK_NAMES.lost);

    // Assess
    expect(lost?.ok).toBe(true);
  });

  it('catch a malformed request missing from the intake DLQ', () => {
    // Prepare
    const { expect: expected, facts } = cleanRun('chk-malformed');

    // Act
    const result = byName(runChecks(expected, { ...facts, dlq: new Map() }), CHECK_NAMES.malformed);

    // Assess
    expect(result?.ok).toBe(false);
    expect(result?.detail).toContain('chk-malformed-bad0');
  });

  it('catch a double charge, and not count one that was refunded', () => {
    // Prepare
    const { expect: expected, facts, payments } = cleanRun('chk-double');
    const twice = payments[0] as (typeof payments)[number];
    const refundedTwin = payments[1] as (typeof payments)[number];
    const charges: SandboxCharge[] = [
      ...facts.charges,
      { ...(facts.charges[0] as SandboxCharge), id: 'pi_second' },
      { ...(facts.charges[1] as SandboxCharge), id: 'pi_refunded', refunded: refundedTwin.amount },
    ];

    // Act
    const result = byName(runChecks(expected, { ...facts, charges }), CHECK_NAMES.doubleCharges);

    // Assess
    expect(result?.violations).toBe(1);
    expect(result?.detail).toContain(twice.paymentId);
    expect(result?.detail).not.toContain(refundedTwin.paymentId);
  });

  it('catch a charge left behind by a failed payment outside any DLQ, though its execution succeeded', () => {
    // Prepare: a business failure ends in the Succeed-type state Failed; the payment's record says FAILED
    const { expect: expected, facts, payments } = cleanRun('chk-left');
    const failed = payments[2]?.paymentId as string;
    const outcomes = new Map(facts.outcomes).set(failed, 'FAILED');

    // Act
    const result = byName(runChecks(expected, { ...facts, outcomes }), CHECK_NAMES.chargesAgree);

    // Assess
    expect(result?.ok).toBe(false);
    expect(result?.detail).toContain(failed);
  });

  it('catch an open hold of a terminal saga outside a DLQ, but not one parked in the compensation DLQ', () => {
    // Prepare
    const { expect: expected, facts, payments, wallet } = cleanRun('chk-hold');
    const open = payments[0] as (typeof payments)[number];
    const parked = payments[1] as (typeof payments)[number];
    const pending: Hold = {
      state: 'PENDING',
      amount: 100,
      expiresAt: '2999-01-01T00:00:00.000Z',
      reservedAt: 'x',
    };
    const holds = { ...wallet.holds, [open.paymentId]: pending, [parked.paymentId]: pending };
    const ledger = { wallets: [{ ...wallet, holds }], entries: [] };
    const executions = new Map(facts.executions).set(parked.paymentId, 'FAILED');
    const outcomes = new Map(facts.outcomes)
      .set(open.paymentId, 'FAILED')
      .set(parked.paymentId, 'NEEDS_ATTENTION');
    const charges = facts.charges.filter((c) => c.paymentId !== open.paymentId);
    const dlq = new Map(facts.dlq).set(parked.paymentId, [
      {
        queue: 'paysaga-test-compensation-dlq',
        reasonCode: 'GatewayUnavailableError',
        reason: 'refund failed',
      },
    ]);

    // Act
    const result = byName(
      runChecks(expected, { ...facts, ledger, executions, outcomes, charges, dlq }),
      CHECK_NAMES.unreleasedHolds,
    );

    // Assess
    expect(result?.violations).toBe(1);
    expect(result?.detail).toContain(open.paymentId);
  });

  it('catch money that is not conserved (a wallet that disagrees with its journal)', () => {
    // Prepare
    const { expect: expected, facts, wallet } = cleanRun('chk-money');
    // A settle applied to the wallet twice: the wallet no longer matches its journal.
    const drained = { ...wallet, available: wallet.available - 100 };
    // Act
    const result = byName(
      runChecks(expected, { ...facts, ledger: { ...facts.ledger, wallets: [drained] } }),
      CHECK_NAMES.moneyConserved,
    );

    // Assess
    expect(result?.ok).toBe(false);
    expect(result?.violations).toBeGreaterThan(0);
  });

  it('catch a reconciliation discrepancy of a payment outside any DLQ, and a reconciliation that failed', () => {
    // Prepare
    const { expect: expected, facts } = cleanRun('chk-recon');
    const discrepancy = {
      kind: 'charged_twice' as const,
      message: 'two charges',
      action: 'refund one',
      paymentId: 'chk-recon-p1',
    };

    // Act
    const found = byName(
      runChecks(expected, { ...facts, reconciliation: { discrepancies: [discrepancy], payments: 3 } }),
      CHECK_NAMES.reconciliation,
    );
    const failed = byName(
      runChecks(expected, { ...facts, reconciliation: { error: 'ThrottlingException' } }),
      CHECK_NAMES.reconciliation,
    );

    // Assess
    expect(found?.ok).toBe(false);
    expect(found?.detail).toContain('charged_twice chk-recon-p1');
    expect(failed?.ok).toBe(false);
  });
  it('catch a saga stopped by a step that died before saving its result, but not one only restarted', () => {
    // Prepare: two payments hit by crashBeforeRecord; one execution failed on StepInProgressError (a redrive
    // finished it), the other failed only because the runtime was killed (its restart is not a stop)
    const { expect: base, facts, payments } = cleanRun('chk-lock');
    const stopped = payments[0]?.paymentId as string;
    const restarted = payments[1]?.paymentId as string;
    const expected = { ...base, crashedBeforeRecord: [stopped, restarted] };
    const stops = new Map([
      [stopped, ['StepInProgressError']],
      [restarted, []],
    ]);

    // Act
    const result = byName(runChecks(expected, { ...facts, stops }), CHECK_NAMES.crashBeforeRecord);

    // Assess
    expect(result?.violations).toBe(1);
    expect(result?.detail).toContain(stopped);
    expect(result?.detail).not.toContain(restarted);
  });
  it('catch a card part credited to the merchant while the gateway refunded its charge (money created)', () => {
    // Prepare
    const { expect: expected, facts } = cleanRun('chk-gwcons');
    const charges = facts.charges.map((c, i) => (i === 0 ? { ...c, refunded: c.amount } : c));

    // Act
    const result = byName(runChecks(expected, { ...facts, charges }), CHECK_NAMES.gatewayConserved);

    // Assess
    expect(result?.ok).toBe(false);
    expect(result?.detail).toContain('chk-gwcons-p0 (gateway kept 0, merchant credited 40)');
  });

  it('count a top-up that neither ended nor reached a DLQ as lost, and accept one parked with its reason', () => {
    // Prepare: t0 still CHARGED (its saga timed out), t1 has no record at all; another run parks t1 instead
    const { expect: expected, facts, topUps } = cleanRun('chk-tlost');
    const [stuck, missing] = topUps.map((t) => t.topUpId) as [string, string];
    const topUpOutcomes = new Map(facts.topUpOutcomes).set(stuck, 'CHARGED');
    topUpOutcomes.delete(missing);
    const topUpExecutions = new Map(facts.topUpExecutions).set(stuck, 'TIMED_OUT');
    topUpExecutions.delete(missing);
    const dlq = new Map(facts.dlq).set(missing, [
      { queue: 'paysaga-test-top-up-intake-dlq', reasonCode: 'invalid_event', reason: 'rejected' },
    ]);

    // Act
    const lost = byName(
      runChecks(expected, { ...facts, topUpOutcomes, topUpExecutions }),
      CHECK_NAMES.topUpsLost,
    );
    const parked = byName(
      runChecks(expected, { ...facts, topUpOutcomes, topUpExecutions, dlq }),
      CHECK_NAMES.topUpsLost,
    );

    // Assess
    expect(lost?.ok).toBe(false);
    expect(lost?.violations).toBe(2);
    expect(lost?.detail).toContain(`${stuck} (CHARGED, saga TIMED_OUT, no DLQ message)`);
    expect(lost?.detail).toContain(`${missing} (no record, no saga, no DLQ message)`);
    expect(parked?.violations).toBe(1);
    expect(parked?.detail).not.toContain(missing);
  });

  it('catch a top-up charged twice at the gateway, and not count a second charge refunded in full', () => {
    // Prepare
    const { expect: expected, facts, topUps } = cleanRun('chk-tdouble');
    const [charged, declined] = topUps.map((t) => t.topUpId) as [string, string];
    const first = facts.charges.find((c) => c.paymentId === `topup:${charged}`) as SandboxCharge;
    const refunded = facts.charges.find((c) => c.paymentId === `topup:${declined}`) as SandboxCharge;
    const charges: SandboxCharge[] = [
      ...facts.charges,
      { ...first, id: 'pi_topup_second' },
      { ...refunded, id: 'pi_topup_refunded_twin' },
    ];

    // Act
    const results = runChecks(expected, { ...facts, charges });

    // Assess
    const double = byName(results, CHECK_NAMES.topUpDoubleCharges);
    expect(double?.violations).toBe(1);
    expect(double?.detail).toContain(`${charged} (2 live charges)`);
    expect(byName(results, CHECK_NAMES.topUpCredits)?.detail).toContain(
      `${charged} (succeeded, 1 credits of ${TOP_UP}, gateway kept ${2 * TOP_UP})`,
    );
    expect(byName(results, CHECK_NAMES.conservedWithTopUps)?.ok).toBe(false);
  });

  it('catch a top-up credited to the wallet without a gateway charge (money created)', () => {
    // Prepare: the gateway holds no charge of t0, yet the wallet was credited with it
    const { expect: expected, facts, topUps } = cleanRun('chk-tfree');
    const credited = topUps[0]?.topUpId as string;
    const charges = facts.charges.filter((c) => c.paymentId !== `topup:${credited}`);

    // Act
    const results = runChecks(expected, { ...facts, charges });

    // Assess
    const credits = byName(results, CHECK_NAMES.topUpCredits);
    expect(credits?.ok).toBe(false);
    expect(credits?.detail).toContain(`${credited} (succeeded, 1 credits of ${TOP_UP}, gateway kept 0)`);
    const conserved = byName(results, CHECK_NAMES.conservedWithTopUps);
    expect(conserved?.ok).toBe(false);
    expect(conserved?.detail).toContain(
      `EUR (gateway kept ${3 * CARD}, ledger credited ${3 * CARD + TOP_UP})`,
    );
  });

  it('catch a failed top-up whose charge still stands, and one credited though it failed', () => {
    // Prepare: t1 failed but its charge was never refunded; t0 is recorded FAILED though the wallet has its credit
    const { expect: expected, facts, topUps } = cleanRun('chk-tfailed');
    const [creditedButFailed, standing] = topUps.map((t) => t.topUpId) as [string, string];
    const charges = facts.charges.map((c) =>
      c.paymentId === `topup:${standing}` ? { ...c, refunded: 0 } : c,
    );
    const topUpOutcomes = new Map(facts.topUpOutcomes).set(creditedButFailed, 'FAILED');

    // Act
    const result = byName(
      runChecks(expected, { ...facts, charges, topUpOutcomes }),
      CHECK_NAMES.topUpCredits,
    );

    // Assess
    expect(result?.violations).toBe(2);
    expect(result?.detail).toContain(
      `${creditedButFailed} (FAILED, credited ${TOP_UP}, gateway kept ${TOP_UP})`,
    );
    expect(result?.detail).toContain(`${standing} (FAILED, not credited, gateway kept ${TOP_UP + 200})`);
  });

  it('count top-up charges and credits in the per-currency conservation of a clean run', () => {
    // Prepare
    const { expect: expected, facts } = cleanRun('chk-tcons');

    // Act
    const result = byName(runChecks(expected, facts), CHECK_NAMES.conservedWithTopUps);

    // Assess
    expect(result?.ok).toBe(true);
    expect(result?.detail).toBe(`gateway = ledger: EUR ${3 * CARD + TOP_UP} (top-ups ${TOP_UP})`);
  });

  it('catch a live charge of a payment the wallet covered in full', () => {
    // Prepare
    const { expect: expected, facts, payments } = cleanRun('chk-covered');
    const covered = payments[0]?.paymentId as string;
    const splits = new Map(facts.splits);
    splits.set(covered, { walletAmount: payments[0]?.amount ?? 0, gatewayAmount: 0 });

    // Act
    const result = byName(runChecks(expected, { ...facts, splits }), CHECK_NAMES.chargesAgree);

    // Assess
    expect(result?.ok).toBe(false);
    expect(result?.detail).toContain(`${covered} (succeeded from the wallet, 1 live charges)`);
  });
});
