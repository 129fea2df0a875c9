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

/** A clean run of `n` succeeded payments on one wallet, each paid by the wallet and a card: every check holds. */
function cleanRun(prefix: string, n = 3) {
  const walletId = `${prefix}-w0`;
  const payments = Array.from({ length: n }, (_, i) => ({
    paymentId: `${prefix}-p${i}`,
    walletId,
    amount: 100 + i,
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
    available: deposit - captured,
    held: 0,
    holds: Object.fromEntries(payments.map((p) => [p.paymentId, posted(p.amount - CARD)])),
    deposits: { [`${walletId}-seed`]: { amount: deposit, at } },
    createdAt: at,
  };
  const expect: RunExpectations = {
    payments,
    malformed: [{ paymentId: `${prefix}-bad0` }],
    intakeDlq: INTAKE_DLQ,
    crashedBeforeRecord: [],
  };
  const charges: SandboxCharge[] = payments.map((p, i) => ({
    id: `pi_${prefix}_${i}`,
    paymentId: p.paymentId,
    amount: CARD,
    currency: 'EUR',
    status: 'succeeded',
    created: 1,
    paymentMethod: 'pm_card_visa',
    refunded: 0,
  }));
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
  return { expect, facts, payments, wallet };
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
