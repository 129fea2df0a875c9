import { describe, expect, it } from 'vitest';
import { LedgerSettlementTotals } from '../../core/finance/report';

/** payctl report's ledger totals count a refund saga's refund_part reversal as refunded (issue 16). */
describe('LedgerSettlementTotals and the refund saga', () => {
  it('nets a refund_part (wallet part and card part back) against the captured wallet and card parts', () => {
    // Prepare
    const totals = new LedgerSettlementTotals();
    const base = { walletId: 'w_rp1', currency: 'EUR' as const, effectiveAt: '2026-12-01T00:00:00.000Z' };
    // Act
    totals.add({
      ...base,
      ref: 'pay_rp1',
      entryId: 'pay_rp1#settle',
      operation: 'settle',
      lines: [
        { account: 'holds:w_rp1', amount: -1000 },
        { account: 'merchant:m_rp1', amount: 1000 },
      ],
    });
    totals.add({
      ...base,
      ref: 'pay_rp1',
      entryId: 'pay_rp1#settle_card',
      operation: 'settle_card',
      lines: [
        { account: 'gateway', amount: -250 },
        { account: 'merchant:m_rp1', amount: 250 },
      ],
    });
    totals.add({
      ...base,
      ref: 'refund:pay_rp1:ref_rp1',
      entryId: 'refund:pay_rp1:ref_rp1#refund_part',
      operation: 'refund_part',
      refundId: 'ref_rp1',
      lines: [
        { account: 'merchant:m_rp1', amount: -500 },
        { account: 'wallet:w_rp1', amount: 250 },
        { account: 'gateway', amount: 250 },
      ],
    });
    // Assess
    expect(totals.rows()).toEqual([
      { currency: 'EUR', capturedMinor: 1250, refundedMinor: 500, netMinor: 750, net: '7.50' },
    ]);
  });
});
