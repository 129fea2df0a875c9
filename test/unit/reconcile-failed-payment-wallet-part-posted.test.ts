import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPayment, type PaymentFacts } from '../../core/finance/reconcile-rules';
import type { Hold } from '../../core/ledger/model';
import type { PaymentRecord } from '../../core/payments/records';
import { journalEntry } from '../helpers/journal-entries';

/**
 * Review finding (money path, reconcile): a payment the merchant was told FAILED (its saga ended FAILED,
 * or a person resolved it `--mark-resolved --outcome failed`, which resolve-outcome.ts allows while the
 * hold is POSTED) whose wallet part stands posted to the merchant (reserve + settle, no refund entry,
 * hold POSTED) is reported by nothing: checkPayment only checks a failed payment's card charge and an
 * open (PENDING) hold. The customer's wallet money sits with the merchant, the merchant was told the
 * payment failed, and reconcile answers clean.
 *
 * The first two cases fail on fb9cf31's code (checkPayment found nothing); it now reports
 * `failed_wallet_part_settled`. The last two hold what is not one: the settlement reversed, or the
 * payment succeeded.
 */

const NOW = new Date('2026-11-10T12:00:00.000Z');

function walletOnlyPayment(overrides: Partial<PaymentRecord>): PaymentRecord {
  const paymentId = `pay_${randomUUID().slice(0, 12)}`;
  return {
    paymentId,
    status: 'FAILED',
    walletId: 'wal_a',
    merchantId: 'mer_b',
    amount: 1250,
    currency: 'EUR',
    exponent: 2,
    walletAmount: 1250,
    gatewayAmount: 0,
    chargeId: '',
    requestedAt: '2026-11-01T10:00:00.000Z',
    requestHash: 'h',
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:saga:${paymentId}`,
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-01T10:00:01.000Z',
    ...overrides,
  };
}

const entry = journalEntry;

/** The wallet part posted to the merchant and never reversed: reserve + settle, the hold POSTED. */
function postedWalletPart(payment: PaymentRecord): PaymentFacts {
  const posted: Hold = {
    state: 'POSTED',
    amount: 1250,
    expiresAt: '2026-11-15T00:00:00.000Z',
    reservedAt: '2026-11-01T10:00:00.500Z',
    captured: 1250,
  };
  return {
    payment,
    charges: [],
    refunds: [],
    journal: [
      entry(payment.paymentId, 'reserve', [
        ['wallet:wal_a', -1250],
        ['holds:wal_a', 1250],
      ]),
      entry(payment.paymentId, 'settle', [
        ['holds:wal_a', -1250],
        ['merchant:mer_b', 1250],
      ]),
    ],
    hold: posted,
    executionStatus: undefined,
    checkJournal: () => true,
  };
}

describe('reconcile: a payment told FAILED whose wallet part stands posted to the merchant', () => {
  it('counts a saga-FAILED payment whose wallet part was settled and never reversed', () => {
    // Prepare
    const facts = postedWalletPart(walletOnlyPayment({ status: 'FAILED' }));
    // Act
    const found = checkPayment(facts, NOW);
    // Assess: money taken from the payer while the merchant was told it failed is a counted discrepancy.
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((d) => d.resolved === undefined)).toBe(true);
    expect(found.map((d) => d.amountMinor)).toContain(1250);
    expect(found.map((d) => d.kind)).toEqual(['failed_wallet_part_settled']);
  });

  it('reports a payment resolved failed by hand while its wallet part stands posted to the merchant', () => {
    // Prepare: NEEDS_ATTENTION, resolved --mark-resolved --outcome failed ("given back by hand"), yet the
    // ledger still has the wallet part with the merchant and nothing gave it back to the payer.
    const facts = postedWalletPart(
      walletOnlyPayment({
        status: 'NEEDS_ATTENTION',
        resolution: {
          action: 'mark_resolved',
          outcome: 'failed',
          by: 'arn:aws:sts::123456789012:assumed-role/paysaga-prod-operations/jane',
          at: '2026-11-03T09:00:00.000Z',
          reason: 'given back by hand',
        },
      }),
    );
    // Act
    const found = checkPayment(facts, NOW);
    // Assess: at least reported, naming the resolution (as a card part settled by hand is).
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]?.resolution).toMatchObject({ outcome: 'failed', action: 'mark_resolved' });
  });

  it('finds nothing once the settlement is reversed to the payer', () => {
    // Prepare: the compensation's ledger refund gave the wallet part back (merchant -> wallet).
    const facts = postedWalletPart(walletOnlyPayment({ status: 'FAILED' }));
    const reversed: PaymentFacts = {
      ...facts,
      hold: { ...(facts.hold as Hold), state: 'REFUNDED', refunded: 1250 },
      journal: [
        ...facts.journal,
        entry(facts.payment.paymentId, 'refund', [
          ['merchant:mer_b', -1250],
          ['wallet:wal_a', 1250],
        ]),
      ],
    };
    // Act
    const found = checkPayment(reversed, NOW);
    // Assess
    expect(found).toEqual([]);
  });

  it('finds nothing for a payment that succeeded with its wallet part settled', () => {
    // Prepare
    const facts = postedWalletPart(walletOnlyPayment({ status: 'SUCCEEDED' }));
    // Act
    const found = checkPayment(facts, NOW);
    // Assess
    expect(found.map((d) => d.kind)).not.toContain('failed_wallet_part_settled');
  });

  it('counts a failed payment whose hold is POSTED before its settle entry is journaled', () => {
    // Prepare: Settle's wallet write landed (hold POSTED), the process died before the settle entry (the
    // sweeper's journal repair would write it later): the money has moved, the journal does not say so yet.
    const facts = postedWalletPart(walletOnlyPayment({ status: 'FAILED' }));
    const notJournaled: PaymentFacts = {
      ...facts,
      journal: facts.journal.filter((e) => e.operation !== 'settle'),
    };
    // Act
    const found = checkPayment(notJournaled, NOW);
    // Assess
    expect(found.map((d) => [d.kind, d.amountMinor])).toEqual([['failed_wallet_part_settled', 1250]]);
  });
});
