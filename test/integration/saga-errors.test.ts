import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FUNCTIONS } from '../../core/config/names';
import { ChargeOutput, ReserveOutput } from '../../core/saga/state';
import { chaosFaults } from '../../local/chaos/hooks';
import type { ChaosRates } from '../../local/chaos/schedule';
import { ErrorNamed, type SagaHarness, startSagaHarness } from '../helpers/saga-harness';

/**
 * What the saga does with errors other than a business "no": AWS services that
 * are busy (retried from the one transient list in core/errors.ts), a step that
 * dies after its side effect (retried past its idempotency lock), and errors on
 * neither list (an outcome is still recorded and published). The in-progress lock is pinned on Charge
 * with a card part, the step that keeps its idempotency record (core/saga/steps-records.ts); Reserve and
 * Settle, which keep none, are crashed around each of their writes in saga-steps-crash.test.ts.
 */
let h: SagaHarness;

beforeAll(async () => {
  h = await startSagaHarness();
});

afterAll(async () => {
  await h?.stop();
});

const queue = (key: keyof SagaHarness['names']['queues']) =>
  `https://sqs.us-east-1.amazonaws.com/000000000000/${h.names.queues[key]}`;
const detailTypes = (paymentId: string) => h.eventsFor(paymentId).map((e) => e.detailType);
const holdOf = (walletId: string, paymentId: string) => h.ledgerReader.holdOf(walletId, paymentId);
const NO_FAULTS: ChaosRates = {
  crashBefore: 0,
  crashAfter: 0,
  crashBeforeRecord: 0,
  crashNotRetried: 0,
  intakeRedelivery: 0,
  duplicates: 0,
  malformed: 0,
};
/** Requests on the payment's own record (not its timeline entries, which a failed step writes too). */
const onPaymentRecord = (input: Record<string, unknown>) => 'Key' in input;

describe('Saga: errors that are not business outcomes', () => {
  it('DynamoDB throttles Reserve twice (ProvisionedThroughputExceededException): retried, the saga succeeds', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 10_000);
    const payment = h.payment({ walletId });
    let armed = false;
    // Act
    const run = await h.run(payment, {
      beforeState: {
        Reserve: async () => {
          if (armed) return;
          armed = true;
          h.failDynamo({
            table: 'ledger',
            times: 2,
            error: () => new ErrorNamed('ProvisionedThroughputExceededException', 'throughput exceeded'),
          });
        },
      },
    });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempts.Reserve).toBe(3);
    expect(await h.payments.get(payment.paymentId)).toMatchObject({ status: 'SUCCEEDED' });
    expect(detailTypes(payment.paymentId)).toEqual(['PaymentSucceeded']);
  });

  it('a compensation that meets ThrottlingException is retried, not dead-lettered', async () => {
    // Prepare: the card part is declined, so the wallet part's hold is released; the ledger throttles the release twice
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId, paymentMethod: 'pm_card_chargeDeclined' });
    let armed = false;
    // Act
    const run = await h.run(payment, {
      beforeState: {
        ReleaseFunds: async () => {
          if (armed) return;
          armed = true;
          h.failDynamo({
            table: 'ledger',
            times: 2,
            error: () => new ErrorNamed('ThrottlingException', 'rate exceeded'),
          });
        },
      },
    });
    // Assess
    expect(run.attempts.ReleaseFunds).toBe(3);
    expect(run.statesEntered).not.toContain('DeadLetterCompensation');
    expect(h.messagesTo(queue('compensationDlq'), payment.paymentId)).toHaveLength(0);
    expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 1000, held: 0 });
    expect(await h.payments.get(payment.paymentId)).toMatchObject({
      status: 'FAILED',
      reasonCode: 'card_declined',
    });
  });

  it('a step that dies after its side effect, before its result is saved, is retried to success past its lock', async () => {
    // Prepare: Charge (the card part: 1000 held on the wallet, 250 to the card; the step that keeps its
    // idempotency record, core/saga/steps-records.ts) charges, then its invocation dies with its record in
    // progress; full jitter draws its worst case (every wait 0), which no budget written with it could outlast
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId });
    const worstJitter = vi.spyOn(Math, 'random').mockReturnValue(0);
    // Act
    const run = await h
      .run(payment, {
        faults: {
          Charge: [{ when: 'afterBeforeRecord', error: new ErrorNamed('Lambda.Unknown'), lockMs: 1500 }],
        },
        realInProgressWaits: ['Charge'],
      })
      .finally(() => worstJitter.mockRestore());
    // Assess: no redrive needed; the card charged once, the ledger posted once
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempts.Charge).toBeGreaterThanOrEqual(3);
    expect(h.gateway.sandbox.chargesFor(payment.paymentId)).toHaveLength(1);
    expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 0, held: 0 });
    expect(detailTypes(payment.paymentId)).toEqual(['PaymentSucceeded']);
  });

  it('an unknown error at Reserve (ValidationException) fails the payment and publishes PaymentFailed', async () => {
    // Prepare: the wallet item is too large to update, on every attempt
    const walletId = await h.openWallet('EUR', 10_000);
    const payment = h.payment({ walletId });
    h.failDynamo({
      table: 'ledger',
      times: 1,
      match: (input) => JSON.stringify(input).includes(walletId),
      error: () =>
        new ErrorNamed('ValidationException', 'Item size to update has exceeded the maximum allowed size'),
    });
    // Act
    const run = await h.run(payment);
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual(['Reserve', 'RecordFailure', 'PublishFailure', 'Failed']);
    expect(run.attempts.Reserve).toBe(1);
    expect(await h.payments.get(payment.paymentId)).toMatchObject({
      status: 'FAILED',
      reasonCode: 'unknown',
      failedState: 'Reserve',
      reason: expect.stringContaining('ValidationException'),
    });
    expect(h.eventsFor(payment.paymentId)).toEqual([
      expect.objectContaining({
        detailType: 'PaymentFailed',
        detail: expect.objectContaining({ reasonCode: 'unknown', failedState: 'Reserve' }),
      }),
    ]);
    expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 10_000, held: 0 });
  });

  it('an unknown error at Reserve after its hold was placed releases the hold before PaymentFailed', async () => {
    // Prepare: the payment record refuses its RESERVED update, after the ledger placed the hold
    const walletId = await h.openWallet('EUR', 10_000);
    const payment = h.payment({ walletId });
    h.failDynamo({
      table: 'payments',
      times: 1,
      match: (input) => onPaymentRecord(input) && JSON.stringify(input).includes('RESERVED'),
      error: () => new ErrorNamed('ValidationException', 'One or more parameter values were invalid'),
    });
    // Act
    const run = await h.run(payment);
    // Assess: failed and told, and no hold left behind for the sweeper
    expect(run.statesEntered).toEqual(['Reserve', 'RecordFailure', 'PublishFailure', 'Failed']);
    expect(await h.payments.get(payment.paymentId)).toMatchObject({
      status: 'FAILED',
      failedState: 'Reserve',
    });
    expect(detailTypes(payment.paymentId)).toEqual(['PaymentFailed']);
    expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 10_000, held: 0 });
    expect(await holdOf(walletId, payment.paymentId)).toMatchObject({ state: 'VOIDED' });
  });

  it.each([
    ['Charge', 'charged nowhere yet'],
    ['Settle', 'charged, hold open'],
  ])(
    'an unknown error at %s (%s) parks the payment: PaymentNeedsAttention and a DLQ message with the error',
    async (state) => {
      // Prepare: the payment record refuses every update during the state (1000 held, 250 for the card)
      const walletId = await h.openWallet('EUR', 1000);
      const payment = h.payment({ walletId });
      let armed = false;
      // Act
      const run = await h.run(payment, {
        beforeState: {
          [state]: async () => {
            if (armed) return;
            armed = true;
            h.failDynamo({
              table: state === 'Charge' ? 'payments' : 'ledger',
              times: 1,
              match: state === 'Charge' ? onPaymentRecord : () => true,
              error: () => new ErrorNamed('ValidationException', 'One or more parameter values were invalid'),
            });
          },
        },
      });
      // Assess
      expect(run).toMatchObject({ status: 'FAILED', error: 'CompensationFailed' });
      expect(run.statesEntered.slice(-4)).toEqual([
        'DeadLetterCompensation',
        'RecordNeedsAttention',
        'PublishNeedsAttention',
        'CompensationFailed',
      ]);
      const [parked] = h.messagesTo(queue('compensationDlq'), payment.paymentId);
      expect(JSON.parse(parked?.body ?? '{}')).toMatchObject({
        kind: 'compensation',
        paymentId: payment.paymentId,
        error: 'UnexpectedStepError',
        cause: expect.stringContaining('ValidationException'),
      });
      expect(await h.payments.get(payment.paymentId)).toMatchObject({
        status: 'NEEDS_ATTENTION',
        failedState: state,
      });
      expect(h.eventsFor(payment.paymentId)).toEqual([
        expect.objectContaining({
          detailType: 'PaymentNeedsAttention',
          detail: expect.objectContaining({ error: 'UnexpectedStepError' }),
        }),
      ]);
      // Nothing was undone behind a person's back: the hold is still there
      expect(await holdOf(walletId, payment.paymentId)).toMatchObject({ state: 'PENDING', amount: 1000 });
    },
  );

  it('record-outcome retried after it recorded: one Outcome timeline entry', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 10_000);
    const payment = h.payment({ walletId });
    // Act: the first RecordSuccess records, then its invocation is lost; the retry records again
    const run = await h.run(payment, {
      faults: { RecordSuccess: [{ when: 'after', error: new ErrorNamed('Lambda.Unknown') }] },
    });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempts.RecordSuccess).toBe(2);
    const outcomes = (await h.payments.timeline(payment.paymentId)).filter((e) => e.step === 'Outcome');
    expect(outcomes).toHaveLength(1);
  });
});

describe('Chaos fault crashBeforeRecord (local/chaos/hooks.ts) against the real Charge handler', () => {
  it('leaves the step in progress until the scaled deadline, then the retried step replays its result', async () => {
    // Prepare: Charge's first attempt (a card part: 1000 held, 250 to the card) scheduled to die after its
    // charge, before its record is saved
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId });
    const executionArn = 'arn:exec';
    const reserve = ReserveOutput.parse(await h.invoke('reserve', { payment, executionArn }));
    const input = { payment, reserve, executionArn };
    const lockScale = 0.05; // Charge's 30 s timeout -> a 1.5 s lock, as a run at --retry-scale 0.05 scales its retries
    const hook = chaosFaults(0, { ...NO_FAULTS, crashBeforeRecord: 1 }, () => {}, lockScale);
    // Act
    const fault = hook.invocation?.('charge', input);
    const first = await h.invoke('charge', input);
    await fault?.afterHandler?.(input);
    const whileLocked = await h.invoke('charge', input).catch((error: Error) => error);
    await new Promise((resolve) =>
      setTimeout(resolve, FUNCTIONS.charge.timeoutSeconds * 1000 * lockScale + 200),
    );
    const afterLock = await h.invoke('charge', input);
    // Assess: one charge, the same result (as the saga's state carries it), the hold untouched
    expect(fault).toMatchObject({ at: 'after', error: { name: 'Lambda.ServiceException' } });
    expect(whileLocked).toMatchObject({ name: 'StepInProgressError' });
    expect(ChargeOutput.parse(afterLock)).toEqual(ChargeOutput.parse(first));
    expect(h.gateway.sandbox.chargesFor(payment.paymentId)).toHaveLength(1);
    expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 0, held: 1000 });
  });
});
