import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedgerInvariants } from '../../core/ledger';
import type { PaymentRequested } from '../../events/payment-requested.v1';
import {
  ErrorNamed,
  type Fault,
  type FaultPlan,
  type SagaHarness,
  type SagaRun,
  startSagaHarness,
} from '../helpers/saga-harness';

/**
 * Random payments with random fault schedules across every step, run
 * concurrently over shared wallets. After every batch: money is conserved per
 * currency, no payment is charged twice, and every saga ended succeeded, or
 * failed with its hold released and its charge refunded, or parked in the
 * compensation DLQ with its reason. A saga that exhausted its retries on a
 * transient fault fails at that step, hold kept: it is redriven once the
 * faults stop, and must then end in one of those three ways.
 */

const BATCH = 20;
const RUNS = 10; // 10 batches x 20 payments = 200 sagas
const AMOUNT = 1250;

let h: SagaHarness;

beforeAll(async () => {
  // No SDK-level retries (and their back-off sleeps): the saga's own Retry, with its waits zeroed, re-sends with the same key.
  h = await startSagaHarness({ gatewayTimeoutMs: 300, gatewayMaxNetworkRetries: 0 });
});

afterAll(async () => {
  await h?.stop();
});

const transientBefore = fc.constantFrom<Fault>(
  { when: 'before', error: new ErrorNamed('GatewayUnavailableError') },
  { when: 'before', error: new ErrorNamed('ThrottlingError') },
  { when: 'before', error: new ErrorNamed('Lambda.ServiceException') },
);
const crashAfter = fc.constantFrom<Fault>(
  { when: 'after', error: new ErrorNamed('Lambda.ServiceException') },
  { when: 'after', error: new ErrorNamed('States.Timeout') },
);
const schedule = fc.array(fc.option(fc.oneof(transientBefore, crashAfter), { nil: undefined, freq: 2 }), {
  maxLength: 6,
});

const scenario = fc.record({
  wallet: fc.integer({ min: 0, max: 7 }),
  paymentMethod: fc.constantFrom(
    'pm_card_visa',
    'pm_card_visa',
    'pm_card_visa',
    'pm_card_chargeDeclined',
    'pm_card_chargeDeclinedInsufficientFunds',
    'pm_sandbox_unavailable_1',
    'pm_sandbox_dropresponse_1',
    'pm_sandbox_refundfail',
    'pm_sandbox_refundfail',
    'pm_sandbox_refundfail',
  ),
  /** Wallet first (the default) or wallet only: a short wallet fails only the latter at Reserve. */
  funding: fc.constantFrom<'wallet_only' | undefined>(undefined, undefined, 'wallet_only'),
  /**
   * A refused Settle on a refund-failing card part is the only way to CompensationFailed; since the wallet pays
   * first, fewer sagas have a card part, so both are drawn often enough that 200 sagas reach every ending.
   */
  settleFails: fc.constantFrom(false, false, true),
  /** About one saga in ten has a forward step whose every retry fails: it must fail there and be redriven. */
  exhaust: fc.constantFrom<string | undefined>(
    ...Array<undefined>(27).fill(undefined),
    'Reserve',
    'Charge',
    'Settle',
  ),
  faults: fc.record({
    Reserve: schedule,
    Charge: schedule,
    Settle: schedule,
    Notify: schedule,
    RefundCharge: schedule,
    ReleaseFunds: schedule,
  }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/**
 * Wallet first: a wallet pays what it covers and the card the rest, so these funds give every split
 * (wallet only, wallet + card, card only); wallet-only payments of a short wallet fail at Reserve. A refused
 * Settle (its hold voided) on a refund-failing card needs a wallet + card split, which only the payment that
 * drains a wallet gets: several partly-funded wallets make that ending common enough to reach in 200 sagas.
 */
const WALLET_FUNDS = [AMOUNT * 2, AMOUNT, Math.floor(AMOUNT / 2), 0, 0, 300, 900, 1100];

/**
 * One saga per batch bound for CompensationFailed whatever the drawn ones do: on a wallet of its own that
 * covers part of the amount (a wallet + card split, not raced by the batch's other payments on a shared
 * wallet), Settle refused and a card whose refunds always fail. The drawn sagas reach that ending only when
 * the race for a shared wallet gives one of them a split, which a run of 200 missed now and then (the
 * ending check then failed: fresh-clone CI at 1ca458b); the drawn ones still explore, this one makes the
 * ending check hold every run.
 */
const FORCED_COMPENSATION_FAILED: Scenario = {
  wallet: WALLET_FUNDS.length,
  paymentMethod: 'pm_sandbox_refundfail',
  funding: undefined,
  settleFails: true,
  exhaust: undefined,
  faults: { Reserve: [], Charge: [], Settle: [], Notify: [], RefundCharge: [], ReleaseFunds: [] },
};
const FORCED_WALLET_FUNDS = 300;

async function runScenario(
  s: Scenario,
  wallets: string[],
): Promise<{ payment: PaymentRequested; run: SagaRun; redriven: boolean }> {
  const walletId = wallets[s.wallet] ?? '';
  const payment = h.payment({
    walletId,
    paymentMethod: s.paymentMethod,
    amount: { value: AMOUNT, currency: 'EUR', exponent: 2 },
    ...(s.funding && { funding: s.funding }),
  });
  const voidHoldBeforeSettle = {
    Settle: async () => {
      await h.ledger.release({ paymentId: payment.paymentId, walletId });
    },
  };
  const beforeState = s.settleFails ? voidHoldBeforeSettle : undefined;
  const exhausted = s.exhaust
    ? {
        [s.exhaust]: Array.from({ length: 5 }, () => ({
          when: 'before' as const,
          error: new ErrorNamed('GatewayUnavailableError'),
        })),
      }
    : {};
  let run = await h.run(payment, { faults: { ...s.faults, ...exhausted } as FaultPlan, beforeState });
  let redriven = false;
  // Failed at a Task (not the Fail state) = retries exhausted on a transient fault: redrive with the faults gone.
  for (let i = 0; i < 3 && run.status === 'FAILED' && run.failedState !== 'CompensationFailed'; i++) {
    run = await h.redrive(run, { beforeState });
    redriven = true;
  }
  return { payment, run, redriven };
}

async function assertEnding({ payment, run }: { payment: PaymentRequested; run: SagaRun }): Promise<void> {
  const { paymentId, walletId } = payment;
  const charges = h.gateway.sandbox.chargesFor(paymentId);
  const refunds = h.gateway.sandbox.refundsFor(paymentId);
  const hold = await h.ledgerReader.holdOf(walletId, paymentId);
  const record = await h.payments.get(paymentId);
  const label = `${paymentId} ended ${run.status} at ${run.failedState ?? run.statesEntered.at(-1)}: ${run.cause ?? ''}`;
  expect(charges.length, `${label}: charged ${charges.length} times`).toBeLessThanOrEqual(1);
  expect(refunds.length, `${label}: refunded ${refunds.length} times`).toBeLessThanOrEqual(1);
  if (run.status === 'SUCCEEDED' && run.statesEntered.at(-1) === 'Succeeded') {
    expect(record?.status, label).toBe('SUCCEEDED');
    // Wallet first: the hold is the wallet part, the one charge the gateway part, together the amount.
    const walletAmount = record?.walletAmount ?? -1;
    const gatewayAmount = record?.gatewayAmount ?? -1;
    expect(walletAmount + gatewayAmount, label).toBe(AMOUNT);
    expect(hold?.state ?? 'none', label).toBe(walletAmount > 0 ? 'POSTED' : 'none');
    if (hold) expect(hold.captured, label).toBe(walletAmount);
    expect(
      charges.map((c) => c.amount),
      label,
    ).toEqual(gatewayAmount > 0 ? [gatewayAmount] : []);
    if (payment.funding === 'wallet_only') expect(gatewayAmount, label).toBe(0);
    expect(refunds, label).toHaveLength(0);
    return;
  }
  // A business failure ends in Failed, a Succeed-type state: the execution succeeded, the payment did not.
  if (run.status === 'SUCCEEDED') {
    expect(run.statesEntered.at(-1), label).toBe('Failed');
    expect(record?.status, label).toBe('FAILED');
    expect(hold?.state ?? 'none', label).not.toMatch(/PENDING|POSTED/);
    expect(refunds.length, `${label}: a charge was left behind`).toBe(charges.length);
    expect(
      h.eventsFor(paymentId).map((e) => e.detailType),
      label,
    ).toContain('PaymentFailed');
    return;
  }
  expect(run.failedState, label).toBe('CompensationFailed');
  expect(record?.status, label).toBe('NEEDS_ATTENTION');
  const parked = h.sentMessages.filter(
    (m) => m.queueUrl.endsWith(h.names.queues.compensationDlq) && m.body.includes(paymentId),
  );
  expect(parked, label).toHaveLength(1);
  expect(JSON.parse(parked[0]?.body ?? '{}'), label).toMatchObject({
    paymentId,
    error: expect.any(String),
    cause: expect.any(String),
  });
}

describe('Property: the saga under random faults', () => {
  it(`conserves money, never charges twice and ends every saga accounted for (${RUNS * BATCH} sagas)`, async () => {
    let sagas = 0;
    let redrives = 0;
    const endings = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(scenario, { minLength: BATCH, maxLength: BATCH }), async (scenarios) => {
        // Prepare
        const wallets = await Promise.all(
          [...WALLET_FUNDS, FORCED_WALLET_FUNDS].map((funds) => h.openWallet('EUR', funds)),
        );
        // Act
        const results = await Promise.all(
          [FORCED_COMPENSATION_FAILED, ...scenarios].map((s) => runScenario(s, wallets)),
        );
        // Assess
        for (const result of results) {
          await assertEnding(result);
          const ending =
            result.run.status === 'SUCCEEDED'
              ? (result.run.statesEntered.at(-1) ?? '?')
              : (result.run.failedState ?? '?');
          endings.set(ending, (endings.get(ending) ?? 0) + 1);
          if (result.redriven) redrives++;
        }
        const report = checkLedgerInvariants(await h.ledgerReader.snapshot());
        expect(report.violations).toEqual([]);
        expect(Object.values(report.totalsByCurrency).every((total) => total === 0)).toBe(true);
        sagas += results.length;
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    // Assess: the generator really exercised every ending, so the property is not vacuous
    expect(sagas).toBe(RUNS * (BATCH + 1));
    expect([...endings.keys()].sort()).toEqual(['CompensationFailed', 'Failed', 'Succeeded']);
    expect(redrives).toBeGreaterThan(0);
  }, 420_000);
});
