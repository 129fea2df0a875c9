import { describe, expect, it } from 'vitest';
import type { ChargeRequest, RefundRequest } from '../../core/gateway/port';
import type { Ledger } from '../../core/ledger';
import type { Hold } from '../../core/ledger/model';
import { money } from '../../core/money';
import type { PaymentFacts, PaymentView } from '../../core/saga/ports';
import type { ReserveOutput } from '../../core/saga/state';
import {
  chargePayment,
  refundCharge,
  releaseFunds,
  reserveFunds,
  type StepDeps,
  settlePayment,
} from '../../core/saga/steps';
import type { PaymentRequested } from '../../events/payment-requested.v1';

const NOW = new Date('2026-12-04T10:00:00.000Z');
const executionArn = 'arn:aws:states:us-east-1:0:execution:payment-saga:pay_unit';

const paymentOf = (overrides: Partial<PaymentRequested> = {}): PaymentRequested => ({
  schemaVersion: '1',
  paymentId: `pay_unit_${Math.random().toString(36).slice(2, 10)}`,
  walletId: 'wal_unit',
  merchantId: 'mer_unit',
  amount: { value: 1250, currency: 'EUR', exponent: 2 },
  paymentMethod: 'pm_card_visa',
  requestedAt: NOW.toISOString(),
  ...overrides,
});

/**
 * A ledger whose reserve follows the wallet-first rule over an `available` balance (the real one is
 * tested on dynalite in test/integration/ledger-funds-flow.test.ts), and a gateway and payment log that
 * record every call, so each test sees which part went where.
 */
function fakes(options: { available: number; hold?: Hold; settledCard?: boolean }) {
  let available = options.available;
  const calls: string[] = [];
  const charges: ChargeRequest[] = [];
  const refunds: RefundRequest[] = [];
  const records = new Map<string, PaymentView>();
  const reserves: Array<{ amount: unknown; upToAvailable?: boolean; restRule?: unknown }> = [];
  const deps: StepDeps & { gateway: Parameters<typeof chargePayment>[0]['gateway'] } = {
    now: () => NOW,
    holdTtlSeconds: 3600,
    ledger: {
      reserve: async (request: Parameters<Ledger['reserve']>[0]) => {
        reserves.push({
          amount: request.amount,
          upToAvailable: request.upToAvailable,
          restRule: request.restRule,
        });
        const value = typeof request.amount === 'number' ? request.amount : request.amount.value;
        const held = request.upToAvailable ? Math.min(available, value) : value;
        if (held > available) throw Object.assign(new Error('short'), { name: 'InsufficientFundsError' });
        available -= held;
        calls.push(`reserve ${held}`);
        return {
          holdId: `hold:${request.walletId}:${request.paymentId}`,
          paymentId: request.paymentId,
          walletId: request.walletId,
          amount: held,
          requested: value,
          currency: 'EUR',
          expiresAt: String(request.expiresAt),
          state: held > 0 ? 'PENDING' : 'NONE',
          replayed: false,
        };
      },
      settle: async (request: Parameters<Ledger['settle']>[0]) => {
        const value = typeof request.amount === 'number' ? request.amount : request.amount.value;
        calls.push(`settle ${value}`);
        return {
          holdId: '',
          paymentId: request.paymentId,
          walletId: request.walletId,
          merchantId: request.merchantId,
          captured: value,
          released: 0,
          currency: 'EUR',
          postedAt: NOW.toISOString(),
          replayed: false,
        };
      },
      settleCard: async (request: Parameters<Ledger['settleCard']>[0]) => {
        calls.push(`settle_card ${request.amount.value}`);
        return {
          paymentId: request.paymentId,
          walletId: request.walletId,
          merchantId: request.merchantId,
          amount: request.amount.value,
          currency: 'EUR',
          postedAt: NOW.toISOString(),
          replayed: false,
        };
      },
      refund: async (request: Parameters<Ledger['refund']>[0]) => {
        calls.push('refund wallet part');
        return {
          paymentId: request.paymentId,
          walletId: request.walletId,
          merchantId: 'mer_unit',
          refunded: 0,
          currency: 'EUR',
          replayed: false,
        };
      },
      refundCard: async (request: Parameters<Ledger['refundCard']>[0]) => {
        if (!options.settledCard) return undefined;
        calls.push('refund_card');
        return {
          paymentId: request.paymentId,
          walletId: request.walletId,
          merchantId: 'mer_unit',
          amount: 0,
          currency: 'EUR',
          postedAt: NOW.toISOString(),
          replayed: false,
        };
      },
      release: async (request: Parameters<Ledger['release']>[0]) => {
        calls.push('release');
        return {
          paymentId: request.paymentId,
          walletId: request.walletId,
          outcome: options.hold ? 'released' : 'nothing_held',
          releasedAmount: options.hold?.amount ?? 0,
          replayed: false,
        };
      },
    } as unknown as StepDeps['ledger'],
    ledgerReader: { holdOf: async () => options.hold } as unknown as StepDeps['ledgerReader'],
    payments: {
      open: async (payment) => {
        if (!records.has(payment.paymentId))
          records.set(payment.paymentId, { paymentId: payment.paymentId, status: 'REQUESTED' });
      },
      advance: async (paymentId, status, facts: PaymentFacts = {}) => {
        const known = records.get(paymentId);
        // Like DynamoPaymentLog: a replayed move does not overwrite what the first one recorded.
        if (known && known.status !== status) records.set(paymentId, { ...known, ...facts, status });
        else return known;
        return undefined;
      },
      note: async (paymentId, facts) => {
        const known = records.get(paymentId);
        if (known) records.set(paymentId, { ...known, ...facts });
      },
      appendStep: async () => undefined,
      get: async (paymentId) => records.get(paymentId),
    },
    gateway: {
      charge: async (request: ChargeRequest) => {
        charges.push(request);
        return {
          chargeId: 'pi_unit',
          amount: request.amount,
          currency: 'EUR',
          status: 'succeeded',
          created: NOW.toISOString(),
        };
      },
      refund: async (request: RefundRequest) => {
        refunds.push(request);
        return {
          refundId: 're_unit',
          chargeId: request.chargeId,
          amount: request.amount,
          currency: 'EUR',
          status: 'succeeded',
          created: NOW.toISOString(),
        };
      },
      findChargeByPaymentId: async () => undefined,
      listCharges: async function* () {},
      listRefunds: async function* () {},
    } as unknown as Parameters<typeof chargePayment>[0]['gateway'],
  };
  return {
    deps,
    calls,
    charges,
    refunds,
    reserves,
    records,
    topUp: (amount: number) => {
      available += amount;
    },
  };
}

const reserveOf = (walletAmount: number, gatewayAmount: number): ReserveOutput => ({
  holdId: walletAmount > 0 ? 'hold:wal_unit:x' : '',
  walletId: 'wal_unit',
  amount: walletAmount,
  gatewayAmount,
  currency: 'EUR',
  expiresAt: '2026-12-20T10:00:00.000Z',
});
const charged = {
  chargeId: 'pi_unit',
  status: 'succeeded' as const,
  created: NOW.toISOString(),
  amount: 250,
};
const declined = { Error: 'CardDeclinedError', Cause: 'declined' };

describe('Function: reserveFunds (wallet first)', () => {
  it('holds what the wallet covers and records the split: 1000 from the wallet, 250 left for the gateway', async () => {
    // Prepare
    const { deps, records } = fakes({ available: 1000 });
    const payment = paymentOf();
    // Act
    const reserve = await reserveFunds(deps, { payment, executionArn });
    // Assess
    expect(reserve).toMatchObject({ amount: 1000, gatewayAmount: 250 });
    expect(records.get(payment.paymentId)).toMatchObject({
      status: 'RESERVED',
      walletAmount: 1000,
      gatewayAmount: 250,
    });
  });

  it('asks the ledger for a card part the gateway can take: at least its minimum charge, in its amount step', async () => {
    // Prepare
    const { deps, reserves } = fakes({ available: 1249 });
    // Act
    await reserveFunds(deps, { payment: paymentOf(), executionArn });
    await reserveFunds(deps, {
      payment: paymentOf({ amount: { value: 10_000, currency: 'KWD', exponent: 3 } }),
      executionArn,
    });
    // Assess
    expect(reserves.map((r) => r.restRule)).toEqual([
      { minimum: 50, multipleOf: 1 },
      { minimum: 0, multipleOf: 10 },
    ]);
  });

  it('an empty wallet holds nothing: the whole amount goes to the gateway, no holdId', async () => {
    // Prepare
    const { deps } = fakes({ available: 0 });
    // Act
    const reserve = await reserveFunds(deps, { payment: paymentOf(), executionArn });
    // Assess
    expect(reserve).toMatchObject({ holdId: '', amount: 0, gatewayAmount: 1250 });
  });

  it('wallet only asks the ledger for the whole amount (no upToAvailable): a short wallet is InsufficientFundsError', async () => {
    // Prepare
    const { deps, reserves } = fakes({ available: 1000 });
    // Act & Assess
    await expect(
      reserveFunds(deps, { payment: paymentOf({ funding: 'wallet_only' }), executionArn }),
    ).rejects.toMatchObject({ name: 'InsufficientFundsError' });
    expect(reserves).toEqual([{ amount: money(1250, 'EUR'), upToAvailable: undefined }]);
  });

  it('a retry answers the recorded split even after the wallet was topped up in between', async () => {
    // Prepare
    const { deps, topUp, reserves } = fakes({ available: 0 });
    const payment = paymentOf();
    const first = await reserveFunds(deps, { payment, executionArn });
    topUp(5000);
    // Act
    const again = await reserveFunds(deps, { payment, executionArn });
    // Assess
    expect(again).toMatchObject({ amount: 0, gatewayAmount: 1250 });
    expect(again.gatewayAmount).toBe(first.gatewayAmount);
    expect(reserves).toHaveLength(1);
  });
});

describe('Function: chargePayment (the remainder only)', () => {
  it('charges the gateway for the gateway part, not the whole amount', async () => {
    // Prepare
    const { deps, charges } = fakes({ available: 0 });
    const payment = paymentOf();
    await deps.payments.open(payment, executionArn);
    // Act
    const charge = await chargePayment(deps, { payment, executionArn, reserve: reserveOf(1000, 250) });
    // Assess
    expect(charges.map((c) => c.amount)).toEqual([money(250, 'EUR')]);
    expect(charge).toMatchObject({ status: 'succeeded', amount: 250 });
  });

  it('does not call the gateway when the wallet covered everything', async () => {
    // Prepare
    const { deps, charges } = fakes({ available: 0 });
    // Act
    const charge = await chargePayment(deps, {
      payment: paymentOf(),
      executionArn,
      reserve: reserveOf(1250, 0),
    });
    // Assess
    expect(charges).toEqual([]);
    expect(charge).toMatchObject({ chargeId: '', status: 'not_needed', amount: 0 });
  });
});

describe('Function: chargePayment (sagas reserved before the split, charges recovered after 23 h)', () => {
  const preSplit = (amount: number): ReserveOutput => ({
    holdId: 'hold:wal_unit:x',
    walletId: 'wal_unit',
    amount,
    currency: 'EUR',
    expiresAt: '2026-12-20T10:00:00.000Z',
  });
  const gatewayCharge = (value: number) => ({
    chargeId: `pi_earlier_${value}`,
    amount: money(value, 'EUR'),
    currency: 'EUR' as const,
    status: 'succeeded' as const,
    created: NOW.toISOString(),
  });

  it('a redriven Charge of a pre-split saga asks the gateway: an earlier whole-amount charge is LedgerInvariantError', async () => {
    // Prepare
    const { deps, charges } = fakes({ available: 0 });
    const payment = paymentOf();
    await deps.payments.open(payment, executionArn);
    const asked: unknown[] = [];
    deps.gateway = {
      ...deps.gateway,
      findChargeByPaymentId: async (paymentId: string, options?: unknown) => {
        asked.push([paymentId, options]);
        return gatewayCharge(1250);
      },
    };
    // Act
    const charging = chargePayment(deps, { payment, executionArn, reserve: preSplit(1250) });
    // Assess
    await expect(charging).rejects.toMatchObject({ name: 'LedgerInvariantError' });
    expect(asked).toEqual([[payment.paymentId, {}]]);
    expect(charges).toEqual([]);
  });

  it('a pre-split saga with no charge at the gateway is paid by its hold (not_needed)', async () => {
    // Prepare
    const { deps, charges } = fakes({ available: 0 });
    const payment = paymentOf();
    await deps.payments.open(payment, executionArn);
    // Act
    const charge = await chargePayment(deps, { payment, executionArn, reserve: preSplit(1250) });
    // Assess
    expect(charge).toMatchObject({ status: 'not_needed', amount: 0 });
    expect(charges).toEqual([]);
  });

  it('a charge recovered by the >23 h lookup of another amount than the card part is LedgerInvariantError', async () => {
    // Prepare
    const { deps, charges } = fakes({ available: 0 });
    const payment = paymentOf();
    await deps.payments.open(payment, executionArn);
    const dayAgo = new Date(NOW.getTime() - 24 * 3600 * 1000).toISOString();
    await deps.payments.note(payment.paymentId, { chargeAttemptedAt: dayAgo, lastChargeAttemptedAt: dayAgo });
    deps.gateway = { ...deps.gateway, findChargeByPaymentId: async () => gatewayCharge(1250) };
    // Act
    const charging = chargePayment(deps, { payment, executionArn, reserve: reserveOf(1000, 250) });
    // Assess
    await expect(charging).rejects.toMatchObject({ name: 'LedgerInvariantError' });
    expect(charges).toEqual([]);
  });

  it('a charge recovered by the >23 h lookup of the card part is taken (recovered), not made again', async () => {
    // Prepare
    const { deps, charges } = fakes({ available: 0 });
    const payment = paymentOf();
    await deps.payments.open(payment, executionArn);
    const dayAgo = new Date(NOW.getTime() - 24 * 3600 * 1000).toISOString();
    await deps.payments.note(payment.paymentId, { chargeAttemptedAt: dayAgo, lastChargeAttemptedAt: dayAgo });
    deps.gateway = { ...deps.gateway, findChargeByPaymentId: async () => gatewayCharge(250) };
    // Act
    const charge = await chargePayment(deps, { payment, executionArn, reserve: reserveOf(1000, 250) });
    // Assess
    expect(charge).toMatchObject({ chargeId: 'pi_earlier_250', amount: 250, recovered: true });
    expect(charges).toEqual([]);
  });
});

describe('Function: settlePayment (both parts)', () => {
  it('posts the hold and the card part to the merchant', async () => {
    // Prepare
    const { deps, calls } = fakes({ available: 0 });
    const payment = paymentOf();
    // Act
    const settled = await settlePayment(deps, {
      payment,
      executionArn,
      reserve: reserveOf(1000, 250),
      charge: charged,
    });
    // Assess
    expect(calls).toEqual(['settle 1000', 'settle_card 250']);
    expect(settled).toMatchObject({ captured: 1250, cardCaptured: 250 });
  });

  it('posts only the card part when the wallet held nothing, only the hold when the card was not needed', async () => {
    // Prepare
    const card = fakes({ available: 0 });
    const wallet = fakes({ available: 0 });
    const notNeeded = { chargeId: '', status: 'not_needed' as const, created: NOW.toISOString(), amount: 0 };
    // Act
    await settlePayment(card.deps, {
      payment: paymentOf(),
      executionArn,
      reserve: reserveOf(0, 1250),
      charge: charged,
    });
    await settlePayment(wallet.deps, {
      payment: paymentOf(),
      executionArn,
      reserve: reserveOf(1250, 0),
      charge: notNeeded,
    });
    // Assess
    expect(card.calls).toEqual(['settle_card 1250']);
    expect(wallet.calls).toEqual(['settle 1250']);
  });

  it('refuses to credit a card part that Charge never charged (LedgerInvariantError, compensated)', async () => {
    // Prepare
    const { deps, calls } = fakes({ available: 0 });
    const notNeeded = { chargeId: '', status: 'not_needed' as const, created: NOW.toISOString() };
    // Act & Assess
    await expect(
      settlePayment(deps, {
        payment: paymentOf(),
        executionArn,
        reserve: reserveOf(1000, 250),
        charge: notNeeded,
      }),
    ).rejects.toMatchObject({ name: 'LedgerInvariantError' });
    expect(calls).toEqual([]);
  });
});

describe('Function: refundCharge / releaseFunds (compensation follows the split)', () => {
  it('refunds only the card part at the gateway and reverses both settled parts', async () => {
    // Prepare
    const posted: Hold = {
      state: 'POSTED',
      amount: 1000,
      captured: 1000,
      merchantId: 'mer_unit',
      expiresAt: '',
      reservedAt: '',
    };
    const { deps, refunds, calls } = fakes({ available: 0, hold: posted, settledCard: true });
    const payment = paymentOf();
    await deps.payments.open(payment, executionArn);
    // Act
    const refund = await refundCharge(deps, {
      payment,
      executionArn,
      reserve: reserveOf(1000, 250),
      error: { Error: 'LedgerInvariantError', Cause: 'x' },
      saga: { charge: charged },
    });
    // Assess
    expect(refunds.map((r) => r.amount)).toEqual([money(250, 'EUR')]);
    expect(calls).toEqual(['refund wallet part', 'refund_card']);
    expect(refund).toMatchObject({ status: 'succeeded', ledgerReversed: true });
  });

  it('asks nothing of the gateway for a wallet-only split (nothing was sent there)', async () => {
    // Prepare
    const { deps, refunds } = fakes({ available: 0 });
    let looked = 0;
    deps.gateway.findChargeByPaymentId = async () => {
      looked += 1;
      return undefined;
    };
    // Act
    const refund = await refundCharge(deps, {
      payment: paymentOf(),
      executionArn,
      reserve: reserveOf(1250, 0),
      error: declined,
      saga: {},
    });
    // Assess
    expect(refund).toEqual({ status: 'nothing_charged', ledgerReversed: false });
    expect(refunds).toEqual([]);
    expect(looked).toBe(0);
  });

  it('a card decline on the card part releases the wallet part', async () => {
    // Prepare
    const pending: Hold = { state: 'PENDING', amount: 1000, expiresAt: '', reservedAt: '' };
    const { deps } = fakes({ available: 0, hold: pending });
    // Act
    const released = await releaseFunds(deps, {
      payment: paymentOf(),
      executionArn,
      reserve: reserveOf(1000, 250),
      error: declined,
    });
    // Assess
    expect(released).toEqual({ outcome: 'released', releasedAmount: 1000 });
  });
});
