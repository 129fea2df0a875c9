import { describe, expect, it } from 'vitest';
import { entriesForHold, entriesForWallet, type Hold, settleEntry, type Wallet } from '../../core/ledger';

const wallet = (holds: Record<string, Hold> = {}): Wallet => ({
  walletId: 'w1',
  currency: 'EUR',
  available: 0,
  held: 0,
  holds,
  deposits: { d1: { amount: 1_000, at: '2026-11-22T09:00:00.000Z' } },
  createdAt: '2026-11-22T08:00:00.000Z',
});

const hold = (overrides: Partial<Hold> = {}): Hold => ({
  state: 'PENDING',
  amount: 500,
  expiresAt: '2026-11-22T11:00:00.000Z',
  reservedAt: '2026-11-22T10:00:00.000Z',
  ...overrides,
});

const balance = (lines: { amount: number }[]) => lines.reduce((sum, line) => sum + line.amount, 0);

describe('Function: entriesForHold', () => {
  it('derives reserve then settle lines for a partial capture, each balancing to zero', () => {
    // Prepare
    const posted = hold({
      state: 'POSTED',
      captured: 300,
      merchantId: 'm1',
      postedAt: '2026-11-22T10:05:00.000Z',
    });
    // Act
    const entries = entriesForHold(wallet(), 'p1', posted);
    // Assess
    expect(entries.map((entry) => entry.entryId)).toEqual(['p1#reserve', 'p1#settle']);
    expect(entries[0]?.lines).toEqual([
      { account: 'wallet:w1', amount: -500 },
      { account: 'holds:w1', amount: 500 },
    ]);
    expect(entries[1]?.lines).toEqual([
      { account: 'holds:w1', amount: -500 },
      { account: 'merchant:m1', amount: 300 },
      { account: 'wallet:w1', amount: 200 },
    ]);
    expect(entries.every((entry) => balance(entry.lines) === 0)).toBe(true);
  });

  it('drops the zero remainder line of a full capture', () => {
    // Act
    const entry = settleEntry(wallet(), 'p1', hold({ state: 'POSTED', captured: 500, merchantId: 'm1' }));
    // Assess
    expect(entry.lines).toHaveLength(2);
    expect(entry.merchantId).toBe('m1');
  });

  it('names the void after what voided it, and implies nothing for a tombstone', () => {
    // Act
    const released = entriesForHold(
      wallet(),
      'p1',
      hold({ state: 'VOIDED', voidedAt: '2026-11-22T10:01:00.000Z' }),
    );
    const expired = entriesForHold(wallet(), 'p2', hold({ state: 'EXPIRED' }));
    const tombstone = entriesForHold(wallet(), 'p3', hold({ state: 'VOIDED', amount: 0, tombstone: true }));
    // Assess
    expect(released.map((entry) => entry.operation)).toEqual(['reserve', 'release']);
    expect(released[1]?.effectiveAt).toBe('2026-11-22T10:01:00.000Z');
    expect(expired.map((entry) => entry.operation)).toEqual(['reserve', 'expire']);
    expect(tombstone).toEqual([]);
  });

  it('adds a refund from the merchant back to the payer after a posting', () => {
    // Act
    const entries = entriesForHold(
      wallet(),
      'p1',
      hold({ state: 'REFUNDED', captured: 500, merchantId: 'm1', refunded: 200 }),
    );
    // Assess
    expect(entries.at(-1)).toMatchObject({
      operation: 'refund',
      lines: [
        { account: 'merchant:m1', amount: -200 },
        { account: 'wallet:w1', amount: 200 },
      ],
    });
  });
});

describe('Function: entriesForWallet', () => {
  it('journals deposits from the funding account under a deposit ref', () => {
    // Act
    const entries = entriesForWallet(wallet({ p1: hold() }));
    // Assess
    expect(entries[0]).toMatchObject({
      entryId: 'deposit:d1#deposit',
      lines: [
        { account: 'funding', amount: -1_000 },
        { account: 'wallet:w1', amount: 1_000 },
      ],
    });
    expect(entries).toHaveLength(2);
  });
});
