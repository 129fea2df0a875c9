import { describe, expect, it } from 'vitest';
import { InvalidPaymentError, LedgerInvariantError } from '../../core/errors';
import type { ChargeRequest, RefundRequest } from '../../core/gateway/port';
import type { JournalEntry, Wallet } from '../../core/ledger/model';
import { money } from '../../core/money';
import { chargeTopUp, refundTopUp, type TopUpStepDeps } from '../../core/topups/steps';
import type { TopUpRecord } from '../../core/topups/store';

const NOW = new Date('2026-11-20T10:00:00.000Z');
const topUp = {
  schemaVersion: '1' as const,
  topUpId: 'top_unit_1',
  walletId: 'wal_unit',
  amount: { value: 5000, currency: 'EUR' as const, exponent: 2 },
  paymentMethod: 'pm_card_visa',
  requestedAt: NOW.toISOString(),
};
const wallet = (overrides: Partial<Wallet> = {}): Wallet => ({
  walletId: 'wal_unit',
  currency: 'EUR',
  available: 0,
  held: 0,
  holds: {},
  deposits: {},
  createdAt: NOW.toISOString(),
  ...overrides,
});

/** Fakes that record every gateway call, so a test sees what was (not) charged or refunded. */
function fakes(options: { wallet?: Wallet; journal?: JournalEntry[]; record?: Partial<TopUpRecord> } = {}) {
  const charges: ChargeRequest[] = [];
  const refunds: RefundRequest[] = [];
  const deps: TopUpStepDeps & { gateway: Parameters<typeof chargeTopUp>[0]['gateway'] } = {
    ledger: {
      deposit: async () => ({ walletId: '', depositId: '', amount: 0, currency: 'EUR', replayed: false }),
    },
    ledgerReader: {
      getWallet: async () => options.wallet,
      listDepositEntries: async () => options.journal ?? [],
    },
    topUps: {
      get: async () => options.record as TopUpRecord | undefined,
      open: async () => undefined,
      advance: async () => undefined,
    },
    now: () => NOW,
    gateway: {
      charge: async (request) => {
        charges.push(request);
        return {
          chargeId: 'pi_1',
          amount: request.amount,
          currency: 'EUR',
          status: 'succeeded',
          created: NOW.toISOString(),
        };
      },
      refund: async (request) => {
        refunds.push(request);
        return {
          refundId: 're_1',
          chargeId: request.chargeId,
          amount: request.amount,
          currency: 'EUR',
          status: 'succeeded',
          created: NOW.toISOString(),
        };
      },
      findChargeByPaymentId: async () => undefined,
    },
  };
  return { deps, charges, refunds };
}

const executionArn = 'arn:aws:states:us-east-1:0:execution:top-up:top_unit_1';
const charge = { chargeId: 'pi_1', status: 'succeeded' as const, created: NOW.toISOString() };
const error = { Error: 'LedgerInvariantError', Cause: 'x' };

describe('Function: chargeTopUp', () => {
  it('charges once under the key topup:<topUpId>, never the bare topUpId (a paymentId could be the same)', async () => {
    // Prepare
    const { deps, charges } = fakes({ wallet: wallet() });
    // Act
    await chargeTopUp(deps, { topUp, executionArn });
    // Assess
    expect(charges.map((c) => c.paymentId)).toEqual(['topup:top_unit_1']);
    expect(charges[0]?.amount).toEqual(money(5000, 'EUR'));
  });

  it('refuses before charging when the wallet does not exist or holds another currency', async () => {
    for (const target of [undefined, wallet({ currency: 'USD' })]) {
      // Prepare
      const { deps, charges } = fakes(target ? { wallet: target } : {});
      // Act & Assess
      await expect(chargeTopUp(deps, { topUp, executionArn })).rejects.toBeInstanceOf(InvalidPaymentError);
      expect(charges).toEqual([]);
    }
  });
});

describe('Function: refundTopUp', () => {
  it('refunds under refund:topup:<topUpId> when the wallet was not credited', async () => {
    // Prepare
    const { deps, refunds } = fakes({ wallet: wallet() });
    // Act
    const refunded = await refundTopUp(deps, { topUp, charge, error, executionArn });
    // Assess
    expect(refunded).toEqual({ refundId: 're_1', status: 'succeeded' });
    expect(refunds.map((r) => r.paymentId)).toEqual(['topup:top_unit_1']);
  });

  it('never refunds a charge the wallet was credited with (marker or journal entry)', async () => {
    const credited = [
      { wallet: wallet({ deposits: { top_unit_1: { amount: 5000, at: NOW.toISOString() } } }) },
      {
        wallet: wallet(),
        journal: [
          {
            entryId: 'deposit:top_unit_1#deposit',
            ref: 'deposit:top_unit_1',
            operation: 'deposit' as const,
            walletId: 'wal_unit',
            currency: 'EUR' as const,
            lines: [
              { account: 'funding', amount: -5000 },
              { account: 'wallet:wal_unit', amount: 5000 },
            ],
            effectiveAt: NOW.toISOString(),
          },
        ],
      },
    ];
    for (const state of credited) {
      // Prepare
      const { deps, refunds } = fakes(state);
      // Act & Assess
      await expect(refundTopUp(deps, { topUp, charge, error, executionArn })).rejects.toBeInstanceOf(
        LedgerInvariantError,
      );
      expect(refunds).toEqual([]);
    }
  });
});
