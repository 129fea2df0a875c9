import { describe, expect, it } from 'vitest';
import type { Discrepancy } from '../../core/finance/discrepancy';
import { checkPayment, type PaymentFacts } from '../../core/finance/reconcile-rules';
import type { ChargeRecord } from '../../core/gateway/port';
import type { JournalEntry } from '../../core/ledger/model';
import { money } from '../../core/money';
import type { PaymentRecord } from '../../core/payments/records';
import { journalEntry } from '../helpers/journal-entries';

const NOW = new Date('2026-12-04T12:00:00.000Z');

/** A SUCCEEDED 12.50 payment, wallet first: `walletAmount` from the wallet, the rest from the card. */
function payment(id: string, walletAmount: number): PaymentRecord {
  return {
    paymentId: id,
    status: 'SUCCEEDED',
    walletId: 'wal_a',
    merchantId: 'mer_b',
    amount: 1250,
    currency: 'EUR',
    exponent: 2,
    requestedAt: '2026-12-04T10:00:00.000Z',
    requestHash: 'h',
    executionArn: `arn:aws:states:us-east-1:1:execution:saga:${id}`,
    createdAt: '2026-12-04T10:00:00.000Z',
    updatedAt: '2026-12-04T10:00:01.000Z',
    walletAmount,
    gatewayAmount: 1250 - walletAmount,
    ...(walletAmount < 1250 && { chargeId: `pi_${id}` }),
  };
}

const charge = (paymentId: string, value: number): ChargeRecord => ({
  chargeId: `pi_${paymentId}`,
  amount: money(value, 'EUR'),
  currency: 'EUR',
  status: 'succeeded',
  created: '2026-12-04T10:00:01.000Z',
  paymentId,
});

const entry = (ref: string, operation: JournalEntry['operation'], lines: [string, number][]): JournalEntry =>
  journalEntry(ref, operation, lines, { effectiveAt: '2026-12-04T10:00:01.000Z' });

/** The journal of a settled split payment: the hold's reserve and settle, and the card part. */
function journal(id: string, walletAmount: number): JournalEntry[] {
  const card = 1250 - walletAmount;
  return [
    ...(walletAmount > 0
      ? [
          entry(id, 'reserve', [
            ['wallet:wal_a', -walletAmount],
            ['holds:wal_a', walletAmount],
          ]),
          entry(id, 'settle', [
            ['holds:wal_a', -walletAmount],
            ['merchant:mer_b', walletAmount],
          ]),
        ]
      : []),
    ...(card > 0
      ? [
          entry(id, 'settle_card', [
            ['gateway', -card],
            ['merchant:mer_b', card],
          ]),
        ]
      : []),
  ];
}

const facts = (p: PaymentRecord, overrides: Partial<PaymentFacts> = {}): PaymentFacts => ({
  payment: p,
  charges: (p.gatewayAmount ?? 0) > 0 ? [charge(p.paymentId, p.gatewayAmount ?? 0)] : [],
  refunds: [],
  journal: journal(p.paymentId, p.walletAmount ?? 0),
  hold: undefined,
  executionStatus: undefined,
  checkJournal: () => true,
  ...overrides,
});

const kinds = (found: Discrepancy[]) => found.map((d) => d.kind);

describe('checkPayment (wallet-first funds flow)', () => {
  it('finds nothing wrong with a wallet-only, a wallet + card and a card-only payment', () => {
    for (const walletAmount of [1250, 1000, 0]) {
      expect(checkPayment(facts(payment(`ff_${walletAmount}`, walletAmount)), NOW)).toEqual([]);
    }
  });

  it('a charge of the whole amount when only the card part was due is an amount mismatch', () => {
    // Prepare
    const p = payment('ff_whole', 1000);
    // Act
    const found = checkPayment(facts(p, { charges: [charge(p.paymentId, 1250)] }), NOW);
    // Assess
    expect(kinds(found)).toEqual(['amount_mismatch']);
  });

  it('a charge for a payment the wallet covered is an amount mismatch', () => {
    // Prepare
    const p = payment('ff_covered', 1250);
    // Act
    const found = checkPayment(facts(p, { charges: [charge(p.paymentId, 1250)] }), NOW);
    // Assess
    expect(kinds(found)).toEqual(['amount_mismatch']);
  });

  it('a card part charged but not credited to the merchant is succeeded_not_settled', () => {
    // Prepare
    const p = payment('ff_unsettled', 1000);
    // Act
    const found = checkPayment(
      facts(p, { journal: journal(p.paymentId, 1000).filter((e) => e.operation !== 'settle_card') }),
      NOW,
    );
    // Assess
    expect(kinds(found)).toEqual(['succeeded_not_settled']);
    expect(found[0]?.message).toContain('settle_card');
  });
});
