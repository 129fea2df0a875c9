import { describe, expect, it } from 'vitest';
import { LedgerInvariantError } from '../../core/errors';
import { checkLedgerInvariants, entriesForWallet, verifyConservation, type Wallet } from '../../core/ledger';

/** A consistent wallet: 1000 deposited, 400 on a pending hold. */
const consistentWallet = (): Wallet => ({
  walletId: 'w1',
  currency: 'EUR',
  available: 600,
  held: 400,
  holds: {
    p1: {
      state: 'PENDING',
      amount: 400,
      expiresAt: '2026-11-22T11:00:00.000Z',
      reservedAt: '2026-11-22T10:00:00.000Z',
    },
  },
  deposits: { d1: { amount: 1_000, at: '2026-11-22T09:00:00.000Z' } },
  createdAt: '2026-11-22T08:00:00.000Z',
});

describe('Function: checkLedgerInvariants', () => {
  it('accepts a wallet whose balances and journal agree', () => {
    // Prepare
    const wallet = consistentWallet();
    // Act
    const report = checkLedgerInvariants({ wallets: [wallet], entries: entriesForWallet(wallet) });
    // Assess
    expect(report).toEqual({ ok: true, violations: [], totalsByCurrency: { EUR: 0 } });
  });

  it('reports an entry that does not balance', () => {
    // Prepare
    const wallet = consistentWallet();
    const entries = entriesForWallet(wallet);
    const [deposit] = entries;
    if (!deposit) throw new Error('fixture has a deposit');
    entries[0] = { ...deposit, lines: [{ account: 'funding', amount: -999 }, ...deposit.lines.slice(1)] };
    // Act
    const report = checkLedgerInvariants({ wallets: [wallet], entries });
    // Assess
    expect(report.ok).toBe(false);
    expect(report.violations).toContain('journal entry deposit:d1#deposit does not balance: lines sum to 1');
    expect(report.totalsByCurrency.EUR).toBe(1);
  });

  it('reports balances that disagree with the journal, a missing entry and a negative balance', () => {
    // Prepare
    const wallet = { ...consistentWallet(), available: -5 };
    const entries = entriesForWallet(wallet).filter((entry) => entry.operation !== 'reserve');
    // Act
    const report = checkLedgerInvariants({ wallets: [wallet], entries });
    // Assess
    expect(report.violations).toEqual([
      'wallet w1: available -5 but journal says 1000',
      'wallet w1: held 400 but journal says 0',
      'wallet w1: available is negative (-5)',
      'wallet w1: journal entry p1#reserve is missing (interrupted operation)',
    ]);
  });

  it('reports held that disagrees with the pending holds and entries the wallet never applied', () => {
    // Prepare
    const wallet = consistentWallet();
    const base = consistentWallet();
    const p1 = base.holds.p1;
    if (!p1) throw new Error('fixture has hold p1');
    const stray: Wallet = { ...base, holds: { ...base.holds, p9: { ...p1, amount: 0 } } };
    const entries = entriesForWallet(stray);
    // Act
    const report = checkLedgerInvariants({ wallets: [{ ...wallet, held: 400 }], entries });
    // Assess
    expect(report.violations).toContain(
      'wallet w1: journal entry p9#reserve was never applied to the wallet',
    );
  });

  it('reports duplicates and entries of a wallet not in the snapshot', () => {
    // Prepare
    const wallet = consistentWallet();
    const entries = entriesForWallet(wallet);
    // Act
    const report = checkLedgerInvariants({ wallets: [], entries: [...entries, ...entries.slice(0, 1)] });
    // Assess
    expect(report.violations).toContain('journal entry deposit:d1#deposit appears twice');
    expect(report.violations).toContain('journal entries name wallet w1, which does not exist');
  });
});

describe('Function: checkLedgerInvariants (closed operations)', () => {
  it('accepts the entries of a deposit whose marker left the wallet, not those of a payment no hold explains', () => {
    // Prepare
    const full = consistentWallet();
    const entries = entriesForWallet(full);
    const journaled: Wallet = { ...full, deposits: {} };
    const withoutHold: Wallet = { ...full, deposits: {}, holds: {}, available: 1_000, held: 0 };
    // Act
    const closedDeposit = checkLedgerInvariants({ wallets: [journaled], entries });
    const strayPayment = checkLedgerInvariants({ wallets: [withoutHold], entries });
    // Assess
    expect(closedDeposit.violations).toEqual([]);
    expect(strayPayment.violations).toContain(
      'wallet w1: journal entry p1#reserve was never applied to the wallet',
    );
  });

  it('checks that each balanceAfter is the running balance in sequence order', () => {
    // Prepare
    const wallet: Wallet = {
      ...consistentWallet(),
      seq: 2,
      deposits: { d1: { amount: 1_000, at: '2026-11-22T09:00:00.000Z', seq: 1, balanceAfter: 1_000 } },
    };
    const hold = wallet.holds.p1;
    if (!hold) throw new Error('fixture has a hold');
    const good: Wallet = { ...wallet, holds: { p1: { ...hold, reserveSeq: 2, reserveBalance: 600 } } };
    const bad: Wallet = { ...wallet, holds: { p1: { ...hold, reserveSeq: 2, reserveBalance: 700 } } };
    // Act
    const consistent = checkLedgerInvariants({ wallets: [good], entries: entriesForWallet(good) });
    const off = checkLedgerInvariants({ wallets: [bad], entries: entriesForWallet(bad) });
    // Assess
    expect(consistent.violations).toEqual([]);
    expect(off.violations).toEqual([
      'wallet w1: journal entry p1#reserve says balance after 700, the entries before it make 600',
    ]);
  });
});

describe('Function: verifyConservation', () => {
  it('throws LedgerInvariantError listing the violations', () => {
    // Prepare
    const wallet = { ...consistentWallet(), held: 0 };
    // Act + Assess
    expect(() => verifyConservation({ wallets: [wallet], entries: entriesForWallet(wallet) })).toThrow(
      LedgerInvariantError,
    );
    expect(() => verifyConservation({ wallets: [wallet], entries: entriesForWallet(wallet) })).toThrow(
      /held 0 but journal says 400/,
    );
  });
});
