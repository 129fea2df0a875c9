import { describe, expect, it } from 'vitest';
import { LedgerInvariantError } from '../../core/errors';
import type { Discrepancy } from '../../core/finance/discrepancy';
import { parsePeriod } from '../../core/finance/period';
import { type ReconcileProgress, type ReconcileSources, reconcile } from '../../core/finance/reconcile';
import { checkPayment, type PaymentFacts } from '../../core/finance/reconcile-rules';
import type { ChargeRecord, RefundRecord } from '../../core/gateway/port';
import type { Hold, JournalEntry, Wallet } from '../../core/ledger/model';
import { money } from '../../core/money';
import type { PaymentRecord } from '../../core/payments/records';
import { journalEntry } from '../helpers/journal-entries';

const NOW = new Date('2026-11-10T12:00:00.000Z');

function payment(id: string, overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    paymentId: id,
    status: 'SUCCEEDED',
    walletId: 'wal_a',
    merchantId: 'mer_b',
    amount: 1250,
    currency: 'EUR',
    exponent: 2,
    requestedAt: '2026-11-01T10:00:00.000Z',
    requestHash: 'h',
    executionArn: `arn:aws:states:us-east-1:1:execution:saga:${id}`,
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-01T10:00:01.000Z',
    chargeId: `pi_${id}`,
    ...overrides,
  };
}

function charge(paymentId: string | undefined, overrides: Partial<ChargeRecord> = {}): ChargeRecord {
  return {
    chargeId: `pi_${paymentId ?? 'x'}`,
    amount: money(1250, 'EUR'),
    currency: 'EUR',
    status: 'succeeded',
    created: '2026-11-01T10:00:01.000Z',
    paymentId,
    ...overrides,
  };
}

function refund(chargeId: string, id: string, value = 1250): RefundRecord {
  return {
    refundId: id,
    chargeId,
    amount: money(value, 'EUR'),
    currency: 'EUR',
    status: 'succeeded',
    created: '2026-11-01T10:00:02.000Z',
    paymentId: undefined,
  };
}

const entry = journalEntry;

const settled = (id: string) => [
  entry(id, 'reserve', [
    ['wallet:wal_a', -1250],
    ['holds:wal_a', 1250],
  ]),
  entry(id, 'settle', [
    ['holds:wal_a', -1250],
    ['merchant:mer_b', 1250],
  ]),
];
const pendingHold = (expiresAt = '2026-11-15T00:00:00.000Z'): Hold => ({
  state: 'PENDING',
  amount: 1250,
  expiresAt,
  reservedAt: '2026-11-01T10:00:00.500Z',
});

function facts(p: PaymentRecord, overrides: Partial<PaymentFacts> = {}): PaymentFacts {
  return {
    payment: p,
    charges: [charge(p.paymentId)],
    refunds: [],
    journal: settled(p.paymentId),
    hold: {
      state: 'POSTED',
      amount: 1250,
      expiresAt: '2026-11-15T00:00:00.000Z',
      reservedAt: 'x',
      captured: 1250,
    },
    executionStatus: undefined,
    checkJournal: () => true,
    ...overrides,
  };
}

const kinds = (found: Discrepancy[]) => found.map((d) => d.kind);

describe('checkPayment', () => {
  it('finds nothing wrong with a settled, charged payment', () => {
    expect(checkPayment(facts(payment('p1')), NOW)).toEqual([]);
  });

  it('flags a charge kept after the saga failed, with the charge id and what to do', () => {
    // Prepare
    const p = payment('p2', { status: 'FAILED', chargeId: undefined });
    // Act
    const found = checkPayment(facts(p, { journal: [], hold: undefined }), NOW);
    // Assess
    expect(kinds(found)).toEqual(['charged_not_refunded']);
    expect(found[0]?.message).toContain('pi_p2');
    expect(found[0]?.message).toContain('EUR 12.50');
    expect(found[0]?.action).toMatch(/refund pi_p2/);
  });

  it('does not flag a failed payment whose charge was refunded once', () => {
    const p = payment('p3', { status: 'FAILED' });
    const found = checkPayment(
      facts(p, { refunds: [refund('pi_p3', 're_1')], journal: [], hold: undefined }),
      NOW,
    );
    expect(found).toEqual([]);
  });

  it('flags two refunds of one charge, and a refund of a succeeded payment', () => {
    // Prepare
    const twice = payment('p4', { status: 'FAILED' });
    const afterSuccess = payment('p5');
    // Act
    const a = checkPayment(
      facts(twice, {
        refunds: [refund('pi_p4', 're_1'), refund('pi_p4', 're_2', 100)],
        journal: [],
        hold: undefined,
      }),
      NOW,
    );
    const b = checkPayment(facts(afterSuccess, { refunds: [refund('pi_p5', 're_3', 100)] }), NOW);
    // Assess
    expect(kinds(a)).toEqual(['refunded_twice']);
    expect(a[0]?.refundIds).toEqual(['re_1', 're_2']);
    expect(kinds(b)).toEqual(['refunded_after_success']);
  });

  it('flags a hold open past its expiry, and one open after the saga ended', () => {
    // Prepare
    const expired = payment('p6', { status: 'FAILED', chargeId: undefined });
    const stopped = payment('p7', { status: 'RESERVED', chargeId: undefined });
    const running = payment('p8', { status: 'RESERVED', chargeId: undefined });
    const common = { charges: [], journal: [] };
    // Act
    const a = checkPayment(facts(expired, { ...common, hold: pendingHold('2026-11-09T00:00:00.000Z') }), NOW);
    const b = checkPayment(
      facts(stopped, { ...common, hold: pendingHold(), executionStatus: 'FAILED' }),
      NOW,
    );
    const c = checkPayment(
      facts(running, { ...common, hold: pendingHold(), executionStatus: 'RUNNING' }),
      NOW,
    );
    // Assess
    expect(kinds(a)).toEqual(['hold_open_past_expiry']);
    expect(kinds(b)).toEqual(['hold_open_after_saga']);
    expect(b[0]?.action).toMatch(/redrive/);
    expect(c).toEqual([]);
  });

  it('flags a success without a gateway charge or without a settlement, and a charge of another amount', () => {
    // Act
    const noCharge = checkPayment(facts(payment('p9'), { charges: [] }), NOW);
    const noSettle = checkPayment(facts(payment('p10'), { journal: settled('p10').slice(0, 1) }), NOW);
    const other = checkPayment(
      facts(payment('p11'), { charges: [charge('p11', { amount: money(1000, 'EUR') })] }),
      NOW,
    );
    const twice = checkPayment(
      facts(payment('p12'), { charges: [charge('p12'), charge('p12', { chargeId: 'pi_dup' })] }),
      NOW,
    );
    // Assess
    expect(kinds(noCharge)).toEqual(['succeeded_without_charge']);
    expect(kinds(noSettle)).toEqual(['succeeded_not_settled']);
    expect(kinds(other)).toEqual(['amount_mismatch']);
    expect(kinds(twice)).toEqual(['charged_twice']);
  });

  it('flags an unbalanced journal entry only where asked to check it', () => {
    // Prepare
    const journal = [
      ...settled('p13'),
      entry('p13', 'refund', [
        ['merchant:mer_b', -1250],
        ['wallet:wal_a', 1000],
      ]),
    ];
    // Act
    const checked = checkPayment(facts(payment('p13'), { journal, refunds: [] }), NOW);
    const skipped = checkPayment(facts(payment('p13'), { journal, checkJournal: () => false }), NOW);
    // Assess
    expect(kinds(checked)).toEqual(['journal_unbalanced']);
    expect(checked[0]?.message).toContain('EUR -2.50');
    expect(skipped).toEqual([]);
  });
});

/** In-memory sources that count what was read, so the test can see streaming and lookups. */
function sources(data: {
  payments: PaymentRecord[];
  charges: ChargeRecord[];
  refunds?: RefundRecord[];
  journal: JournalEntry[];
  wallets?: Wallet[];
  findCharge?: (paymentId: string) => ChargeRecord | undefined;
}): ReconcileSources & { chargeWindows: string[] } {
  const chargeWindows: string[] = [];
  return {
    chargeWindows,
    payments: {
      async *paymentsRequestedBetween(from, to) {
        for (const p of data.payments)
          if (p.requestedAt.slice(0, 10) >= from && p.requestedAt.slice(0, 10) <= to) yield p;
      },
      get: async (id) => data.payments.find((p) => p.paymentId === id),
    },
    ledger: {
      listPaymentEntries: async (id) => data.journal.filter((e) => e.ref === id),
      getWallet: async (id) => data.wallets?.find((w) => w.walletId === id),
      async *entriesInPeriod(from, to) {
        for (const e of data.journal)
          if (e.effectiveAt.slice(0, 10) >= from && e.effectiveAt.slice(0, 10) <= to) yield e;
      },
    },
    gateway: {
      async *listCharges({ from, to }) {
        chargeWindows.push(`${from.toISOString().slice(0, 10)}..${to.toISOString().slice(0, 10)}`);
        for (const c of data.charges)
          if (c.created >= from.toISOString() && c.created < to.toISOString()) yield c;
      },
      async *listRefunds({ from, to }) {
        for (const r of data.refunds ?? [])
          if (r.created >= from.toISOString() && r.created < to.toISOString()) yield r;
      },
      findChargeByPaymentId: async (id) => data.findCharge?.(id),
    },
    executionStatus: async () => 'FAILED',
  };
}

describe('reconcile', () => {
  it('matches a saga crossing midnight to its charge of the next day, and reads the gateway one day window at a time', async () => {
    // Prepare
    const late = payment('p20', { requestedAt: '2026-11-01T23:59:59.000Z' });
    const src = sources({
      payments: [payment('p21'), late],
      charges: [charge('p21'), charge('p20', { created: '2026-11-02T00:00:03.000Z' })],
      journal: [...settled('p21'), ...settled('p20')],
    });
    const found: Discrepancy[] = [];
    const progress: ReconcileProgress[] = [];
    // Act
    const summary = await reconcile(parsePeriod('2026-11-01', '2026-11-02'), src, {
      now: NOW,
      onDiscrepancy: (d) => found.push(d),
      onProgress: (p) => progress.push(p),
    });
    // Assess
    expect(found).toEqual([]);
    expect(summary).toMatchObject({
      payments: 2,
      charges: 2,
      journalEntries: 4,
      discrepancies: 0,
      journalTotals: { EUR: 0 },
    });
    expect(src.chargeWindows).toEqual(['2026-11-01..2026-11-03', '2026-11-02..2026-11-04']);
    expect(progress.map((p) => p.phase)).toEqual(['refunds', 'days', 'days', 'journal', 'journal']);
  });

  it('flags a charge no payment accounts for, and an unbalanced entry of the period once', async () => {
    // Prepare
    const src = sources({
      payments: [payment('p22')],
      charges: [charge('p22'), charge(undefined, { chargeId: 'pi_stray' }), charge('ghost')],
      journal: [
        ...settled('p22'),
        entry('p22', 'refund', [
          ['merchant:mer_b', -100],
          ['wallet:wal_a', 90],
        ]),
      ],
    });
    const found: Discrepancy[] = [];
    // Act
    const summary = await reconcile(parsePeriod('2026-11-01', '2026-11-01'), src, {
      now: NOW,
      onDiscrepancy: (d) => found.push(d),
    });
    // Assess
    expect(found.map((d) => [d.kind, d.chargeId ?? d.entryId])).toEqual([
      ['unknown_charge', 'pi_stray'],
      ['unknown_charge', 'pi_ghost'],
      ['journal_unbalanced', 'p22#refund'],
    ]);
    expect(summary.byKind).toEqual({ unknown_charge: 2, journal_unbalanced: 1 });
    expect(summary.journalTotals).toEqual({ EUR: -10 });
  });

  it("looks a charge made outside the two-day window up by paymentId, and reports the gateway's refusal when there are several", async () => {
    // Prepare
    const redriven = payment('p23');
    const doubled = payment('p24');
    const src = sources({
      payments: [redriven, doubled],
      charges: [],
      journal: [...settled('p23'), ...settled('p24')],
      findCharge: (id) => {
        if (id === 'p24')
          throw new LedgerInvariantError(
            'the gateway holds 2 charges (pi_a, pi_b) for one payment; refund all but one',
          );
        return charge(id, { created: '2026-11-06T00:00:00.000Z' });
      },
    });
    const found: Discrepancy[] = [];
    // Act
    await reconcile(parsePeriod('2026-11-01', '2026-11-01'), src, {
      now: NOW,
      onDiscrepancy: (d) => found.push(d),
    });
    // Assess
    expect(found.map((d) => [d.kind, d.paymentId])).toEqual([['charged_twice', 'p24']]);
  });

  it('asks Step Functions only about payments whose record is not terminal', async () => {
    // Prepare
    const asked: string[] = [];
    const stopped = payment('p25', { status: 'RESERVED', chargeId: undefined });
    const wallet: Wallet = {
      walletId: 'wal_a',
      currency: 'EUR',
      available: 0,
      held: 1250,
      holds: { p25: pendingHold() },
      deposits: {},
      createdAt: 'x',
    };
    const src = sources({
      payments: [payment('p26'), stopped],
      charges: [charge('p26')],
      journal: settled('p26'),
      wallets: [wallet],
    });
    const found: Discrepancy[] = [];
    // Act
    await reconcile(
      parsePeriod('2026-11-01', '2026-11-01'),
      {
        ...src,
        executionStatus: async (p) => {
          asked.push(p.paymentId);
          return 'FAILED';
        },
      },
      {
        now: NOW,
        onDiscrepancy: (d) => found.push(d),
      },
    );
    // Assess
    expect(asked).toEqual(['p25']);
    expect(found.map((d) => [d.kind, d.paymentId])).toEqual([['hold_open_after_saga', 'p25']]);
  });
});

describe('reconcile: a payment a person resolved', () => {
  const resolvedBy = 'arn:aws:sts::123456789012:assumed-role/paysaga-prod-operations/jane';
  const resolved = (
    id: string,
    outcome: 'succeeded' | 'failed',
    overrides: Partial<PaymentRecord> = {},
  ): PaymentRecord =>
    payment(id, {
      status: 'NEEDS_ATTENTION',
      resolution: {
        action: 'mark_resolved',
        outcome,
        by: resolvedBy,
        at: '2026-11-03T09:00:00.000Z',
        reason: `ticket OPS-${id}`,
      },
      ...overrides,
    });
  const walletHolding = (holds: Wallet['holds']): Wallet => ({
    walletId: 'wal_a',
    currency: 'EUR',
    available: 0,
    held: 0,
    holds,
    deposits: {},
    createdAt: 'x',
  });
  const posted = (): Hold => ({ ...pendingHold(), state: 'POSTED', captured: 1250 });
  async function run(src: ReconcileSources) {
    const found: Discrepancy[] = [];
    const summary = await reconcile(parsePeriod('2026-11-01', '2026-11-01'), src, {
      now: NOW,
      onDiscrepancy: (d) => found.push(d),
    });
    return { found, summary };
  }

  it('is judged by its outcome: resolved succeeded with its money taken is clean, not a NEEDS_ATTENTION charge', async () => {
    // Prepare: the charge stands and the wallet part is posted, as --outcome succeeded requires.
    const p = resolved('p40', 'succeeded');
    const src = sources({
      payments: [p],
      charges: [charge('p40')],
      journal: settled('p40'),
      wallets: [walletHolding({ p40: posted() })],
    });
    // Act
    const { found, summary } = await run(src);
    // Assess
    expect(found).toEqual([]);
    expect(summary).toMatchObject({ discrepancies: 0, resolved: 0 });
  });

  it('counts a resolved succeeded payment whose money was never taken, naming the resolution', async () => {
    // Prepare: no charge at the gateway for the card part, though the merchant was told it succeeded.
    const p = resolved('p41', 'succeeded');
    const src = sources({
      payments: [p],
      charges: [],
      journal: settled('p41'),
      wallets: [walletHolding({ p41: posted() })],
    });
    // Act
    const { found, summary } = await run(src);
    // Assess
    expect(kinds(found)).toEqual(['succeeded_without_charge']);
    expect(found[0]?.resolved).toBeUndefined();
    expect(found[0]?.resolution).toEqual({
      action: 'mark_resolved',
      outcome: 'succeeded',
      by: resolvedBy,
      resolvedAt: '2026-11-03T09:00:00.000Z',
      reason: 'ticket OPS-p41',
    });
    expect(found[0]?.message).toContain(
      `resolved succeeded (mark_resolved by ${resolvedBy} at 2026-11-03T09:00:00.000Z: ticket OPS-p41)`,
    );
    expect(summary).toMatchObject({ discrepancies: 1, resolved: 0, byKind: { succeeded_without_charge: 1 } });
  });

  it('counts a resolved failed payment whose money stands taken (charge and hold), by its resolution, not as a failed compensation', async () => {
    // Prepare
    const p = resolved('p42', 'failed');
    const src = sources({
      payments: [p],
      charges: [charge('p42')],
      journal: settled('p42').slice(0, 1),
      wallets: [walletHolding({ p42: pendingHold() })],
    });
    // Act
    const { found, summary } = await run(src);
    // Assess
    expect(kinds(found)).toEqual(['charged_not_refunded', 'hold_open_after_saga']);
    for (const d of found) {
      expect(d.resolved).toBeUndefined();
      expect(d.resolution).toMatchObject({ outcome: 'failed', by: resolvedBy });
      expect(d.message).toContain(`resolved failed (mark_resolved by ${resolvedBy}`);
      expect(d.message).not.toMatch(/NEEDS_ATTENTION|compensation/);
    }
    expect(summary).toMatchObject({ discrepancies: 2, resolved: 0 });
  });

  it('finds nothing once a resolved failed payment has its money given back (refunded, hold released)', async () => {
    // Prepare
    const p = resolved('p43', 'failed', {
      resolution: { action: 'refund', outcome: 'failed', by: resolvedBy, at: '2026-11-03T09:00:00.000Z' },
    });
    const src = sources({
      payments: [p],
      charges: [charge('p43')],
      refunds: [refund('pi_p43', 're_p43')],
      journal: settled('p43').slice(0, 1),
      wallets: [walletHolding({ p43: { ...pendingHold(), state: 'VOIDED' } })],
    });
    // Act
    const { found, summary } = await run(src);
    // Assess
    expect(found).toEqual([]);
    expect(summary).toMatchObject({ discrepancies: 0, resolved: 0 });
  });

  it('reports a card part kept and settled by hand (no settle_card) as resolved by them, not counted', async () => {
    // Prepare: card only (an empty wallet); Settle failed for good, the refund too; resolved succeeded.
    const p = resolved('p44', 'succeeded', { walletAmount: 0, gatewayAmount: 1250 });
    const src = sources({ payments: [p], charges: [charge('p44')], journal: [] });
    // Act
    const { found, summary } = await run(src);
    // Assess
    expect(kinds(found)).toEqual(['succeeded_not_settled']);
    expect(found[0]?.resolved).toEqual({
      by: resolvedBy,
      at: '2026-11-03T09:00:00.000Z',
      reason: 'ticket OPS-p44',
    });
    expect(summary).toMatchObject({ discrepancies: 0, resolved: 1 });
  });
});
