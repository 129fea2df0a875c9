import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedgerInvariants, Ledger, LedgerReader } from '../../core/ledger';
import { holdIdOf } from '../../core/ledger/results';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import { type ChargeOutput, ReserveOutput, SettleOutput } from '../../core/saga/state';
import { reserveFunds, type StepDeps, settlePayment } from '../../core/saga/steps';
import type { PaymentRequested } from '../../events/payment-requested.v1';
import { type CrashMoment, crashingClient, InjectedCrashError } from '../helpers/dynalite';
import { type SagaHarness, startSagaHarness } from '../helpers/saga-harness';

/**
 * Issue 18: Reserve and Settle run without a Powertools idempotency record (core/saga/steps-records.ts),
 * so their own writes must be idempotent and crash-safe. Each step is crashed before and after each of its
 * writes (the process dies there: nothing after it is sent), then run again, twice, as the saga's retry
 * and a redrive would: exactly one hold, one post, one journal entry per operation, the right balance and
 * the same answer. Two attempts of one step at once (Step Functions invokes at least once) leave one hold.
 */
let h: SagaHarness;
const now = new Date('2026-12-05T10:00:00.000Z');
const HOLD_TTL_SECONDS = 3600;
const EXECUTION_ARN = 'arn:aws:states:us-east-1:000000000000:execution:paysaga-test-payments:crash';

beforeAll(async () => {
  h = await startSagaHarness();
});

afterAll(async () => {
  await h?.stop();
});

type Doc = ConstructorParameters<typeof Ledger>[0]['doc'];

/** A process that dies at its `crashAt`-th write (before it is sent, or after it was applied): it sends nothing more. */
function dyingClient(crashAt: number, moment: CrashMoment) {
  const crashing = crashingClient(h.dynamo.doc, crashAt, moment);
  let dead = false;
  const send = async (command: unknown) => {
    if (dead) throw new InjectedCrashError('the process died at an earlier write');
    try {
      return await (crashing.client.send as (c: unknown) => Promise<unknown>)(command);
    } catch (error) {
      if (error instanceof InjectedCrashError) dead = true;
      throw error;
    }
  };
  return {
    client: { send } as unknown as Doc,
    get writes() {
      return crashing.writes;
    },
  };
}

const depsOn = (doc: Doc): StepDeps => ({
  ledger: new Ledger({ doc, tableName: h.dynamo.tables.ledger, now: () => now }),
  ledgerReader: new LedgerReader(h.dynamo.doc, h.dynamo.tables.ledger),
  payments: new DynamoPaymentLog(doc as never, h.dynamo.tables.payments, () => now),
  now: () => now,
  holdTtlSeconds: HOLD_TTL_SECONDS,
});
const healthy = () => depsOn(h.dynamo.doc);

interface Scenario {
  readonly name: string;
  readonly balance: number;
  /** Done without crashes: the state the step starts from; answers the step's input. */
  readonly prepare: (payment: PaymentRequested) => Promise<unknown>;
  readonly act: (deps: StepDeps, input: unknown) => Promise<unknown>;
  /** The step's answer, as the saga's state carries it. */
  readonly answer: (output: unknown) => unknown;
  readonly wallet: { readonly available: number; readonly held: number };
  readonly hold: { readonly state: string; readonly amount: number };
  readonly journal: readonly string[];
  readonly record: Record<string, unknown>;
}

const reserveInput = (payment: PaymentRequested) => Promise.resolve({ payment, executionArn: EXECUTION_ARN });
/** Reserve's answer without the ids of the payment it was for. */
const reserveAnswer = (output: unknown) => {
  const { holdId: _holdId, walletId: _walletId, ...split } = ReserveOutput.parse(output);
  return split;
};
const reserved = async (payment: PaymentRequested) => {
  const input = { payment, executionArn: EXECUTION_ARN };
  return { ...input, reserve: ReserveOutput.parse(await reserveFunds(healthy(), input)) };
};
const notNeeded: ChargeOutput = { chargeId: '', status: 'not_needed', created: now.toISOString(), amount: 0 };
const cardCharge: ChargeOutput = {
  chargeId: 'ch_crash_test',
  status: 'succeeded',
  created: now.toISOString(),
  amount: 250,
};

const SCENARIOS: Scenario[] = [
  {
    name: 'Reserve (the wallet covers it)',
    balance: 10_000,
    prepare: reserveInput,
    act: (deps, input) => reserveFunds(deps, input as Parameters<typeof reserveFunds>[1]),
    answer: reserveAnswer,
    wallet: { available: 8750, held: 1250 },
    hold: { state: 'PENDING', amount: 1250 },
    journal: ['reserve'],
    record: { status: 'RESERVED', walletAmount: 1250, gatewayAmount: 0 },
  },
  {
    name: 'Reserve (wallet first: 1000 held, 250 left to the card)',
    balance: 1000,
    prepare: reserveInput,
    act: (deps, input) => reserveFunds(deps, input as Parameters<typeof reserveFunds>[1]),
    answer: reserveAnswer,
    wallet: { available: 0, held: 1000 },
    hold: { state: 'PENDING', amount: 1000 },
    journal: ['reserve'],
    record: { status: 'RESERVED', walletAmount: 1000, gatewayAmount: 250 },
  },
  {
    name: 'Settle (the wallet covers it)',
    balance: 10_000,
    prepare: async (payment) => ({ ...(await reserved(payment)), charge: notNeeded }),
    act: (deps, input) => settlePayment(deps, input as Parameters<typeof settlePayment>[1]),
    answer: (output) => SettleOutput.parse(output),
    wallet: { available: 8750, held: 0 },
    hold: { state: 'POSTED', amount: 1250 },
    journal: ['reserve', 'settle'],
    record: { status: 'SUCCEEDED' },
  },
  {
    name: 'Settle (wallet part 1000 and card part 250)',
    balance: 1000,
    prepare: async (payment) => {
      const input = await reserved(payment);
      await healthy().payments.advance(payment.paymentId, 'CHARGED', { chargeId: cardCharge.chargeId });
      return { ...input, charge: cardCharge };
    },
    act: (deps, input) => settlePayment(deps, input as Parameters<typeof settlePayment>[1]),
    answer: (output) => SettleOutput.parse(output),
    wallet: { available: 0, held: 0 },
    hold: { state: 'POSTED', amount: 1000 },
    journal: ['reserve', 'settle', 'settle_card'],
    record: { status: 'SUCCEEDED' },
  },
];

async function freshPayment(balance: number): Promise<PaymentRequested> {
  const walletId = await h.openWallet('EUR', balance);
  return h.payment({ walletId });
}

async function assertExactlyOnce(scenario: Scenario, payment: PaymentRequested) {
  const { walletId, paymentId } = payment;
  expect(await h.ledgerReader.getWallet(walletId)).toMatchObject(scenario.wallet);
  expect(await h.ledgerReader.holdOf(walletId, paymentId)).toMatchObject(scenario.hold);
  const operations = (await h.ledgerReader.listPaymentEntries(paymentId)).map((entry) => entry.operation);
  expect(operations.sort()).toEqual([...scenario.journal].sort());
  const report = checkLedgerInvariants(await h.ledgerReader.snapshotOf([walletId], [paymentId]));
  expect(report.violations).toEqual([]);
  expect(await h.payments.get(paymentId)).toMatchObject(scenario.record);
}

describe('Saga steps without an idempotency record: crash injection around each write', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: a crash before or after any of its writes, then the step again, has exactly one effect`, async () => {
      // Prepare: the step's writes when nothing fails, and its answer
      const reference = await freshPayment(scenario.balance);
      const referenceInput = await scenario.prepare(reference);
      const counting = dyingClient(0, 'before');
      const expected = scenario.answer(await scenario.act(depsOn(counting.client), referenceInput));
      await assertExactlyOnce(scenario, reference);
      const writes = counting.writes;
      expect(writes).toBeGreaterThanOrEqual(scenario.journal.length);
      const cases = Array.from({ length: writes }, (_, i) => i + 1).flatMap((n) =>
        (['before', 'after'] as CrashMoment[]).map((moment) => ({ n, moment })),
      );
      for (const { n, moment } of cases) {
        const payment = await freshPayment(scenario.balance);
        const input = await scenario.prepare(payment);
        // Act: the attempt dies at write n; the saga's retry, then a redrive, run the step again
        await expect(scenario.act(depsOn(dyingClient(n, moment).client), input)).rejects.toThrow(
          InjectedCrashError,
        );
        const retried = scenario.answer(await scenario.act(healthy(), input));
        const redriven = scenario.answer(await scenario.act(healthy(), input));
        // Assess
        expect({ crash: `${moment} write ${n}`, retried }).toEqual({
          crash: `${moment} write ${n}`,
          retried: expected,
        });
        expect(redriven).toEqual(retried);
        await assertExactlyOnce(scenario, payment);
      }
    });
  }

  it('Reserve dies between its hold and its journal entry; Settle then completes both entries', async () => {
    // Prepare: Reserve's writes are open (1), the hold (2), its journal entry (3): it dies right after 2
    const payment = await freshPayment(10_000);
    const input = { payment, executionArn: EXECUTION_ARN };
    await expect(reserveFunds(depsOn(dyingClient(2, 'after').client), input)).rejects.toThrow(
      InjectedCrashError,
    );
    expect((await h.ledgerReader.listPaymentEntries(payment.paymentId)).map((e) => e.operation)).toEqual([]);
    await healthy().payments.advance(payment.paymentId, 'RESERVED', { walletAmount: 1250, gatewayAmount: 0 });
    const reserve: ReserveOutput = {
      holdId: holdIdOf(payment.walletId, payment.paymentId),
      walletId: payment.walletId,
      amount: 1250,
      gatewayAmount: 0,
      currency: 'EUR',
      expiresAt: new Date(now.getTime() + HOLD_TTL_SECONDS * 1000).toISOString(),
    };
    // Act
    await settlePayment(healthy(), { ...input, reserve, charge: notNeeded });
    // Assess
    const settle = SCENARIOS.find((s) => s.name === 'Settle (the wallet covers it)');
    if (!settle) throw new Error('no Settle scenario');
    await assertExactlyOnce(settle, payment);
  });
});

describe('Saga steps without an idempotency record: two attempts at once', () => {
  it.each([
    ['the wallet covers it', 10_000, { available: 8750, held: 1250 }, { amount: 1250, gatewayAmount: 0 }],
    [
      'wallet first, the rest to the card',
      1000,
      { available: 0, held: 1000 },
      { amount: 1000, gatewayAmount: 250 },
    ],
  ])(
    'two Reserve invocations for one payment (%s): one hold, the same answer',
    async (_, balance, wallet, split) => {
      for (let round = 0; round < 4; round++) {
        // Prepare
        const payment = await freshPayment(balance);
        const input = { payment, executionArn: EXECUTION_ARN };
        // Act: the real handler, invoked twice at once
        const [first, second] = await Promise.all([h.invoke('reserve', input), h.invoke('reserve', input)]);
        // Assess
        expect(ReserveOutput.parse(first)).toMatchObject(split);
        expect(ReserveOutput.parse(second)).toEqual(ReserveOutput.parse(first));
        expect(await h.ledgerReader.getWallet(payment.walletId)).toMatchObject(wallet);
        const operations = (await h.ledgerReader.listPaymentEntries(payment.paymentId)).map(
          (e) => e.operation,
        );
        expect(operations).toEqual(['reserve']);
        expect(await h.payments.get(payment.paymentId)).toMatchObject({
          status: 'RESERVED',
          walletAmount: split.amount,
        });
      }
    },
  );

  it('two Settle invocations for one payment: one post, the same answer', async () => {
    for (let round = 0; round < 4; round++) {
      // Prepare
      const payment = await freshPayment(10_000);
      const reserve = ReserveOutput.parse(
        await h.invoke('reserve', { payment, executionArn: EXECUTION_ARN }),
      );
      const input = { payment, reserve, charge: notNeeded, executionArn: EXECUTION_ARN };
      // Act
      const [first, second] = await Promise.all([h.invoke('settle', input), h.invoke('settle', input)]);
      // Assess
      expect(SettleOutput.parse(first)).toMatchObject({ captured: 1250, released: 0 });
      expect(SettleOutput.parse(second)).toEqual(SettleOutput.parse(first));
      expect(await h.ledgerReader.getWallet(payment.walletId)).toMatchObject({ available: 8750, held: 0 });
      const operations = (await h.ledgerReader.listPaymentEntries(payment.paymentId)).map((e) => e.operation);
      expect(operations.sort()).toEqual(['reserve', 'settle']);
      expect(await h.payments.get(payment.paymentId)).toMatchObject({ status: 'SUCCEEDED' });
    }
  });
});
