import { describe, expect, it } from 'vitest';
import {
  expiredHoldIds,
  type Hold,
  isExpired,
  isSettleable,
  normaliseInstant,
  type Wallet,
} from '../../core/ledger';

const hold = (state: Hold['state'], expiresAt: string): Hold => ({
  state,
  amount: 100,
  expiresAt,
  reservedAt: '2026-11-22T09:00:00.000Z',
});
const at = (iso: string) => new Date(iso);

describe('Function: isExpired / isSettleable', () => {
  it('treats a pending hold as expired from its expiresAt on, and no longer settleable', () => {
    // Prepare
    const pending = hold('PENDING', '2026-11-22T10:00:00.000Z');
    // Act + Assess
    expect(isExpired(pending, at('2026-11-22T09:59:59.999Z'))).toBe(false);
    expect(isSettleable(pending, at('2026-11-22T09:59:59.999Z'))).toBe(true);
    expect(isExpired(pending, at('2026-11-22T10:00:00.000Z'))).toBe(true);
    expect(isSettleable(pending, at('2026-11-22T10:00:00.000Z'))).toBe(false);
  });

  it('never expires or settles a hold that is no longer pending', () => {
    // Act + Assess
    for (const state of ['POSTED', 'VOIDED', 'EXPIRED', 'REFUNDED'] as const) {
      expect(isExpired(hold(state, '2026-11-22T10:00:00.000Z'), at('2026-11-23T00:00:00.000Z'))).toBe(false);
      expect(isSettleable(hold(state, '2026-11-22T10:00:00.000Z'), at('2026-11-22T00:00:00.000Z'))).toBe(
        false,
      );
    }
  });
});

describe('Function: expiredHoldIds', () => {
  it('lists only the pending holds past their expiry', () => {
    // Prepare
    const wallet: Wallet = {
      walletId: 'w1',
      currency: 'EUR',
      available: 0,
      held: 200,
      holds: {
        old: hold('PENDING', '2026-11-22T10:00:00.000Z'),
        live: hold('PENDING', '2026-11-22T12:00:00.000Z'),
        done: hold('VOIDED', '2026-11-22T10:00:00.000Z'),
      },
      deposits: {},
      createdAt: '2026-11-22T08:00:00.000Z',
    };
    // Act
    const ids = expiredHoldIds(wallet, at('2026-11-22T11:00:00.000Z'));
    // Assess
    expect(ids).toEqual(['old']);
  });
});

describe('Function: normaliseInstant', () => {
  it('stores instants with offsets as UTC so they compare as strings', () => {
    // Act + Assess
    expect(normaliseInstant('2026-11-22T12:00:00+02:00')).toBe('2026-11-22T10:00:00.000Z');
    expect(normaliseInstant('not a date')).toBeUndefined();
  });
});
