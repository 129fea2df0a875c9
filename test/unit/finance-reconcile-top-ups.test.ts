import { describe, expect, it } from 'vitest';
import type { Discrepancy } from '../../core/finance/discrepancy';
import { parsePeriod } from '../../core/finance/period';
import { type ReconcileSources, reconcile } from '../../core/finance/reconcile';
import type { ChargeRecord, RefundRecord } from '../../core/gateway/port';
import type { JournalEntry } from '../../core/ledger/model';
import { money } from '../../core/money';
import { gatewayRefOf } from '../../core/topups/keys';
import type { TopUpRecord, TopUpStatus } from '../../core/topups/store';

const NOW = new Date('2026-11-10T12:00:00.000Z');
const PERIOD = parsePeriod('2026-11-01', '2026-11-01');

const topUp = (id: string, status: TopUpStatus = 'SUCCEEDED'): TopUpRecord => ({
  topUpId: id,
  walletId: `wal_${id}`,
  amount: { value: 5000, currency: 'EUR', exponent: 2 },
  status,
  acceptedAt: '2026-11-01T09:00:00.000Z',
  updatedAt: '2026-11-01T09:00:02.000Z',
});

const charge = (id: string, overrides: Partial<ChargeRecord> = {}): ChargeRecord => ({
  chargeId: `pi_${id}`,
  amount: money(5000, 'EUR'),
  currency: 'EUR',
  status: 'succeeded',
  created: '2026-11-01T09:00:01.000Z',
  paymentId: gatewayRefOf(id),
  ...overrides,
});

const refund = (id: string): RefundRecord => ({
  refundId: `re_${id}`,
  chargeId: `pi_${id}`,
  amount: money(5000, 'EUR'),
  currency: 'EUR',
  status: 'succeeded',
  created: '2026-11-01T09:00:03.000Z',
  paymentId: gatewayRefOf(id),
});

const deposit = (id: string, value = 5000): JournalEntry => ({
  entryId: `deposit:${id}#deposit`,
  ref: `deposit:${id}`,
  operation: 'deposit',
  walletId: `wal_${id}`,
  currency: 'EUR',
  lines: [
    { account: 'funding', amount: -value },
    { account: `wallet:wal_${id}`, amount: value },
  ],
  effectiveAt: '2026-11-01T09:00:02.000Z',
});

/** In-memory sources with top-ups only (no payments): what reconcile reads, and nothing else. */
function sources(data: {
  topUps: TopUpRecord[];
  charges: ChargeRecord[];
  refunds?: RefundRecord[];
  journal: JournalEntry[];
}): ReconcileSources {
  return {
    payments: {
      async *paymentsRequestedBetween() {},
      get: async () => undefined,
    },
    ledger: {
      listPaymentEntries: async () => [],
      getWallet: async () => undefined,
      async *entriesInPeriod() {
        yield* data.journal;
      },
    },
    gateway: {
      async *listCharges({ from, to }) {
        for (const c of data.charges)
          if (c.created >= from.toISOString() && c.created < to.toISOString()) yield c;
      },
      async *listRefunds() {
        yield* data.refunds ?? [];
      },
      findChargeByPaymentId: async (ref) => data.charges.find((c) => c.paymentId === ref),
    },
    executionStatus: async () => undefined,
    topUps: {
      topUps: { get: async (id) => data.topUps.find((t) => t.topUpId === id) },
      deposits: { listDepositEntries: async (id) => data.journal.filter((e) => e.ref === `deposit:${id}`) },
    },
  };
}

async function found(data: Parameters<typeof sources>[0]): Promise<Discrepancy[]> {
  const all: Discrepancy[] = [];
  await reconcile(PERIOD, sources(data), { now: NOW, onDiscrepancy: (d) => all.push(d) });
  return all;
}

describe('reconcile: top-ups', () => {
  it('finds nothing wrong with credited, refunded, in-flight top-ups and seeded deposits', async () => {
    // Act
    const discrepancies = await found({
      topUps: [topUp('ok'), topUp('refunded', 'FAILED'), topUp('flying', 'CHARGED')],
      charges: [charge('ok'), charge('refunded'), charge('flying')],
      refunds: [refund('refunded')],
      journal: [deposit('ok'), deposit('seed')],
    });
    // Assess: a top-up charge is not a charge "no payment accounts for"
    expect(discrepancies).toEqual([]);
  });

  it('flags a top-up charge with no wallet credit and no refund', async () => {
    // Act
    const discrepancies = await found({
      topUps: [topUp('lost', 'FAILED')],
      charges: [charge('lost')],
      journal: [],
    });
    // Assess
    expect(discrepancies.map((d) => d.kind)).toEqual(['top_up_charged_not_credited']);
    expect(discrepancies[0]).toMatchObject({ paymentId: 'lost', chargeId: 'pi_lost', amountMinor: 5000 });
    expect(discrepancies[0]?.message).toContain('EUR 50.00');
  });

  it('flags a wallet credit of a top-up the gateway never charged', async () => {
    // Act
    const discrepancies = await found({ topUps: [topUp('free')], charges: [], journal: [deposit('free')] });
    // Assess
    expect(discrepancies.map((d) => d.kind)).toEqual(['top_up_credited_not_charged']);
    expect(discrepancies[0]).toMatchObject({ paymentId: 'free', walletId: 'wal_free', amountMinor: 5000 });
  });

  it('flags a refunded top-up whose wallet keeps the credit', async () => {
    // Act
    const discrepancies = await found({
      topUps: [topUp('both')],
      charges: [charge('both')],
      refunds: [refund('both')],
      journal: [deposit('both')],
    });
    // Assess
    expect(discrepancies.map((d) => d.kind)).toEqual(['top_up_refunded_and_credited']);
  });

  it('flags a credit that differs from the charge', async () => {
    // Act
    const discrepancies = await found({
      topUps: [topUp('short')],
      charges: [charge('short')],
      journal: [deposit('short', 4000)],
    });
    // Assess
    expect(discrepancies.map((d) => d.kind)).toEqual(['top_up_amount_mismatch']);
    expect(discrepancies[0]?.message).toContain('EUR 40.00');
  });

  it('flags two gateway charges for one top-up', async () => {
    // Act
    const discrepancies = await found({
      topUps: [topUp('twice')],
      charges: [charge('twice'), charge('twice', { chargeId: 'pi_twice_2' })],
      journal: [deposit('twice')],
    });
    // Assess
    expect(discrepancies.map((d) => d.kind)).toEqual(['top_up_charged_twice']);
    expect(discrepancies[0]?.message).toContain('pi_twice_2');
  });
});
