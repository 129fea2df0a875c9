import { describe, expect, it } from 'vitest';
import { InvalidPaymentError, LedgerInvariantError } from '../../core/errors';
import type { ChargeRequest, FindChargeOptions, RefundRequest } from '../../core/gateway/port';
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
function fakes(
  options: {
    wallet?: Wallet;
    journal?: JournalEntry[];
    record?: Partial<TopUpRecord>;
    /** What the gateway holds for the top-up's key: undefined, one charge, or several (LedgerInvariantError). */
    gatewayCharges?: string[];
  } = {},
) {
  const charges: ChargeRequest[] = [];
  const refunds: RefundRequest[] = [];
  const lookups: Array<{ paymentId: string } & FindChargeOptions> = [];
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
      findChargeByPaymentId: async (paymentId, lookup) => {
        lookups.push({ paymentId, ...lookup });
        const found = options.gatewayCharges ?? [];
        if (found.length > 1) throw new LedgerInvariantError(`${found.length} charges for ${paymentId}`);
        const [chargeId] = found;
        return chargeId
          ? {
              chargeId,
              amount: money(5000, 'EUR'),
              currency: 'EUR',
              status: 'succeeded',
              created: NOW.toISOString(),
            }
          : undefined;
      },
    },
  };
  return { deps, charges, refunds, lookups };
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

describe('Function: chargeTopUp (recovery past the gateway key window)', () => {
  it('does not credit on a charge found still processing: retryable, nothing charged again', async () => {
    // Prepare: the first attempt a day ago; the gateway holds its charge, still processing
    const record = { chargeAttemptedAt: new Date(NOW.getTime() - 24 * 3600_000).toISOString() };
    const { deps, charges } = fakes({ wallet: wallet(), record, gatewayCharges: ['pi_slow'] });
    const find = deps.gateway.findChargeByPaymentId;
    deps.gateway.findChargeByPaymentId = async (...args) => {
      const found = await find(...args);
      return found && { ...found, status: 'processing' };
    };
    // Act
    const error = await chargeTopUp(deps, { topUp, executionArn }).catch((e: Error) => e);
    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('GatewayTimeoutError');
    expect(charges).toEqual([]);
  });
});

describe('Function: refundTopUp', () => {
  it('refunds under refund:topup:<topUpId> when the wallet was not credited', async () => {
    // Prepare
    const { deps, refunds } = fakes({ wallet: wallet() });
    // Act
    const refunded = await refundTopUp(deps, { topUp, saga: { charge }, error, executionArn });
    // Assess
    expect(refunded).toEqual({ refundId: 're_1', status: 'succeeded' });
    expect(refunds.map((r) => r.paymentId)).toEqual(['topup:top_unit_1']);
  });

  it('after a Charge error (no charge in the saga) asks the gateway: none -> nothing_charged, one -> refunded', async () => {
    // Prepare: the first charge attempt 30 s ago, so the lookup lists a window as well as searching
    const record = { chargeAttemptedAt: new Date(NOW.getTime() - 30_000).toISOString() };
    const none = fakes({ wallet: wallet(), record });
    const one = fakes({ wallet: wallet(), record, gatewayCharges: ['pi_unseen'] });
    // Act
    const nothing = await refundTopUp(none.deps, { topUp, saga: {}, error, executionArn });
    const refunded = await refundTopUp(one.deps, { topUp, saga: {}, error, executionArn });
    // Assess
    expect(nothing).toEqual({ status: 'nothing_charged' });
    expect(none.refunds).toEqual([]);
    expect(none.lookups).toEqual([
      {
        paymentId: 'topup:top_unit_1',
        createdSince: new Date(NOW.getTime() - 30_000 - 5 * 60_000),
        createdUntil: new Date(NOW.getTime() - 30_000 + 60_000 + 5 * 60_000),
      },
    ]);
    expect(refunded).toEqual({ refundId: 're_1', status: 'succeeded' });
    expect(one.refunds).toEqual([
      expect.objectContaining({ paymentId: 'topup:top_unit_1', chargeId: 'pi_unseen' }),
    ]);
  });

  it('after a Charge error with several charges standing refunds none and fails for a person', async () => {
    // Prepare
    const { deps, refunds } = fakes({ wallet: wallet(), gatewayCharges: ['pi_a', 'pi_b'] });
    // Act & Assess
    await expect(refundTopUp(deps, { topUp, saga: {}, error, executionArn })).rejects.toBeInstanceOf(
      LedgerInvariantError,
    );
    expect(refunds).toEqual([]);
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
      await expect(
        refundTopUp(deps, { topUp, saga: { charge }, error, executionArn }),
      ).rejects.toBeInstanceOf(LedgerInvariantError);
      expect(refunds).toEqual([]);
    }
  });
});
