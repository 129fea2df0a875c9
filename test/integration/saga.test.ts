import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdIdOf } from '../../core/ledger';
import { ChargeOutput, ReserveOutput } from '../../core/saga/state';
import { ErrorNamed, type SagaHarness, startSagaHarness } from '../helpers/saga-harness';
import { carriedAttemptIds } from '../helpers/timeline';

let h: SagaHarness;

beforeAll(async () => {
  h = await startSagaHarness();
});

afterAll(async () => {
  await h?.stop();
});

const chargesFor = (paymentId: string) => h.gateway.sandbox.chargesFor(paymentId);
const holdOf = (walletId: string, paymentId: string) => h.ledgerReader.holdOf(walletId, paymentId);
const detailTypes = (paymentId: string) => h.eventsFor(paymentId).map((e) => e.detailType);
const queue = (key: keyof SagaHarness['names']['queues']) =>
  `https://sqs.us-east-1.amazonaws.com/000000000000/${h.names.queues[key]}`;

describe('Saga: payment-saga.asl.json with the real handlers, dynalite and the sandbox gateway', () => {
  it('wallet + card: holds what the wallet covers, charges the gateway once for the rest, settles both parts', async () => {
    // Prepare: 10.00 in the wallet, a 12.50 payment
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId });
    // Act
    const run = await h.run(payment);
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([
      'Reserve',
      'Charge',
      'Settle',
      'Notify',
      'RecordSuccess',
      'PublishSuccess',
      'Succeeded',
    ]);
    const wallet = await h.ledgerReader.getWallet(walletId);
    expect(wallet).toMatchObject({ available: 0, held: 0 });
    expect(await holdOf(walletId, payment.paymentId)).toMatchObject({
      state: 'POSTED',
      amount: 1000,
      captured: 1000,
      merchantId: 'mer_bookshop',
    });
    expect(chargesFor(payment.paymentId).map((c) => c.amount)).toEqual([250]);
    expect(await h.payments.get(payment.paymentId)).toMatchObject({
      status: 'SUCCEEDED',
      holdId: holdIdOf(walletId, payment.paymentId),
      walletAmount: 1000,
      gatewayAmount: 250,
    });
    const settleCard = (await h.ledgerReader.listPaymentEntries(payment.paymentId)).find(
      (e) => e.operation === 'settle_card',
    );
    expect(settleCard?.lines).toEqual([
      { account: 'gateway', amount: -250 },
      { account: 'merchant:mer_bookshop', amount: 250 },
    ]);
    expect(h.eventsFor(payment.paymentId)).toEqual([
      expect.objectContaining({
        detailType: 'PaymentSucceeded',
        detail: expect.objectContaining({ chargeId: chargesFor(payment.paymentId)[0]?.id }),
      }),
    ]);
    expect(h.messagesTo(queue('notification'), payment.paymentId)).toHaveLength(1);
  });

  it('wallet covers everything: Charge calls no gateway, Settle posts the hold, PaymentSucceeded names no charge', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 10_000);
    const payment = h.payment({ walletId });
    // Act
    const run = await h.run(payment);
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toEqual([
      'Reserve',
      'Charge',
      'Settle',
      'Notify',
      'RecordSuccess',
      'PublishSuccess',
      'Succeeded',
    ]);
    expect(run.stateInputs.get('Settle')).toMatchObject({ charge: { status: 'not_needed', chargeId: '' } });
    expect(chargesFor(payment.paymentId)).toHaveLength(0);
    expect(h.gateway.sandbox.requests().filter((r) => r.idempotencyKey === payment.paymentId)).toHaveLength(
      0,
    );
    expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 10_000 - 1250, held: 0 });
    expect(await h.payments.get(payment.paymentId)).toMatchObject({
      status: 'SUCCEEDED',
      walletAmount: 1250,
      gatewayAmount: 0,
    });
  });

  it('insufficient funds (wallet only): fails at Reserve with nothing to undo, nothing charged', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId, funding: 'wallet_only' });
    // Act
    const run = await h.run(payment);
    // Assess
    // A business failure ends in the Succeed-type state Failed: a failed execution means a saga that stopped.
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      output: { error: { Error: 'InsufficientFundsError' } },
    });
    expect(run.statesEntered).toEqual(['Reserve', 'RecordFailure', 'PublishFailure', 'Failed']);
    expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 1000, held: 0 });
    expect(chargesFor(payment.paymentId)).toHaveLength(0);
    expect(await h.payments.get(payment.paymentId)).toMatchObject({
      status: 'FAILED',
      reasonCode: 'insufficient_funds',
      failedState: 'Reserve',
    });
    expect(h.eventsFor(payment.paymentId)).toEqual([
      expect.objectContaining({
        detailType: 'PaymentFailed',
        detail: expect.objectContaining({ reasonCode: 'insufficient_funds' }),
      }),
    ]);
  });

  it.each([
    ['pm_card_chargeDeclined', 'card_declined'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
  ])(
    'card declined (%s) on the card part: releases the wallet part and reports %s',
    async (paymentMethod, reasonCode) => {
      // Prepare
      const walletId = await h.openWallet('EUR', 1000);
      const payment = h.payment({ walletId, paymentMethod });
      // Act
      const run = await h.run(payment);
      // Assess
      // A business failure ends in the Succeed-type state Failed: a failed execution means a saga that stopped.
      expect(run).toMatchObject({ status: 'SUCCEEDED', output: { error: { Error: 'CardDeclinedError' } } });
      expect(run.statesEntered).toEqual([
        'Reserve',
        'Charge',
        'RefundCharge',
        'ReleaseFunds',
        'RecordFailure',
        'PublishFailure',
        'Failed',
      ]);
      expect(run.attempts.Charge).toBe(1);
      expect(run.stateInputs.get('RecordFailure')).toMatchObject({
        refund: { status: 'nothing_charged', ledgerReversed: false },
      });
      expect(h.gateway.sandbox.refundsFor(payment.paymentId)).toHaveLength(0);
      expect(await holdOf(walletId, payment.paymentId)).toMatchObject({ state: 'VOIDED', amount: 1000 });
      expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 1000, held: 0 });
      expect(run.stateInputs.get('RecordFailure')).toMatchObject({ release: { releasedAmount: 1000 } });
      expect(detailTypes(payment.paymentId)).toEqual(['PaymentFailed', 'PaymentCompensated']);
      expect(h.eventsFor(payment.paymentId)[0]?.detail).toMatchObject({ reasonCode, failedState: 'Charge' });
      expect(await h.payments.get(payment.paymentId)).toMatchObject({
        status: 'FAILED',
        reasonCode,
        compensations: ['ReleaseFunds'],
      });
    },
  );

  it('gateway 5xx then success: retried with the same key, charged exactly once', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId, paymentMethod: 'pm_sandbox_unavailable_3' });
    // Act
    const run = await h.run(payment);
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempts.Charge).toBeGreaterThan(1);
    expect(chargesFor(payment.paymentId).map((c) => c.amount)).toEqual([250]);
    expect(
      h.gateway.sandbox.requests().filter((r) => r.idempotencyKey === payment.paymentId).length,
    ).toBeGreaterThan(3);
  });

  it('retries exhausted: the execution fails at Charge with its hold kept, and a redrive finishes it once the gateway is back', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId });
    h.gateway.sandbox.setDown(true);
    // Act
    const failed = await h.run(payment);
    h.gateway.sandbox.setDown(false);
    const redriven = await h.redrive(failed);
    // Assess
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: 'GatewayUnavailableError',
      failedState: 'Charge',
    });
    expect(failed.attempts.Charge).toBe(5);
    expect(redriven.status).toBe('SUCCEEDED');
    expect(chargesFor(payment.paymentId)).toHaveLength(1);
    expect(await holdOf(walletId, payment.paymentId)).toMatchObject({ state: 'POSTED' });
  });

  it('settle failure: refunds the card part, releases the hold, publishes PaymentFailed and PaymentCompensated', async () => {
    // Prepare: the hold is voided behind the saga's back, so Settle finds nothing to post
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId });
    const voidHold = async () => {
      await h.ledger.release({ paymentId: payment.paymentId, walletId });
    };
    // Act
    const run = await h.run(payment, { beforeState: { Settle: voidHold } });
    // Assess
    // A business failure ends in the Succeed-type state Failed: a failed execution means a saga that stopped.
    expect(run).toMatchObject({ status: 'SUCCEEDED', output: { error: { Error: 'LedgerInvariantError' } } });
    expect(run.statesEntered).toEqual([
      'Reserve',
      'Charge',
      'Settle',
      'RefundCharge',
      'ReleaseFunds',
      'RecordFailure',
      'PublishFailure',
      'Failed',
    ]);
    expect(h.gateway.sandbox.refundsFor(payment.paymentId).map((r) => r.amount)).toEqual([250]);
    expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 1000, held: 0 });
    expect(detailTypes(payment.paymentId)).toEqual(['PaymentFailed', 'PaymentCompensated']);
    expect(h.eventsFor(payment.paymentId)[1]?.detail).toMatchObject({
      compensations: ['RefundCharge', 'ReleaseFunds'],
    });
    expect(await h.payments.get(payment.paymentId)).toMatchObject({
      status: 'FAILED',
      reasonCode: 'settlement_failed',
    });
  });

  it('a compensation that keeps failing: dead-lettered with its reason, ends CompensationFailed', async () => {
    // Prepare: settle fails and every refund of this card fails at the gateway
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId, paymentMethod: 'pm_sandbox_refundfail' });
    const voidHold = async () => {
      await h.ledger.release({ paymentId: payment.paymentId, walletId });
    };
    // Act
    const run = await h.run(payment, { beforeState: { Settle: voidHold } });
    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'CompensationFailed' });
    expect(run.attempts.RefundCharge).toBe(11);
    const [parked] = h.messagesTo(queue('compensationDlq'), payment.paymentId);
    expect(JSON.parse(parked?.body ?? '{}')).toMatchObject({
      kind: 'compensation',
      paymentId: payment.paymentId,
      error: 'GatewayUnavailableError',
    });
    expect(detailTypes(payment.paymentId)).toEqual(['PaymentNeedsAttention']);
    expect(h.eventsFor(payment.paymentId)[0]?.detail).toMatchObject({
      failedCompensation: 'RefundCharge',
      deadLetterQueue: h.names.queues.compensationDlq,
    });
    expect(await h.payments.get(payment.paymentId)).toMatchObject({ status: 'NEEDS_ATTENTION' });
    expect(chargesFor(payment.paymentId)).toHaveLength(1);
  });

  it('notify failure: the notification is dead-lettered and the payment stays succeeded', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 10_000);
    const payment = h.payment({ walletId });
    h.failNotificationsFor.add(payment.paymentId);
    // Act
    const run = await h.run(payment, {
      faults: {
        Notify: Array.from({ length: 5 }, () => ({
          when: 'before' as const,
          error: new ErrorNamed('ThrottlingError'),
        })),
      },
    });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toContain('DeadLetterNotification');
    expect(h.messagesTo(queue('notificationDlq'), payment.paymentId)).toHaveLength(1);
    expect(await h.payments.get(payment.paymentId)).toMatchObject({ status: 'SUCCEEDED' });
    expect(detailTypes(payment.paymentId)).toEqual(['PaymentSucceeded']);
  });

  it('a step invoked twice with the same input places one hold and makes one charge', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId });
    const executionArn = `arn:aws:states:us-east-1:000000000000:execution:x:${payment.paymentId}`;
    // Act
    const firstHold = await h.invoke('reserve', { payment, executionArn });
    const secondHold = await h.invoke('reserve', { payment, executionArn });
    const firstCharge = await h.invoke('charge', { payment, executionArn, reserve: firstHold });
    const secondCharge = await h.invoke('charge', { payment, executionArn, reserve: firstHold });
    // Assess
    expect(ReserveOutput.parse(secondHold)).toEqual(ReserveOutput.parse(firstHold));
    expect(ChargeOutput.parse(secondCharge)).toEqual(ChargeOutput.parse(firstCharge));
    // The same answer; each attempt carries its own timeline entry (core/saga/timeline.ts)
    expect(carriedAttemptIds(secondHold)).not.toEqual(carriedAttemptIds(firstHold));
    expect(firstHold).toMatchObject({ amount: 1000, gatewayAmount: 250 });
    expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 0, held: 1000 });
    expect(chargesFor(payment.paymentId).map((c) => c.amount)).toEqual([250]);
  });

  it('a step that crashes after doing its work is retried without a second hold or charge', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId });
    const crash = { when: 'after' as const, error: new ErrorNamed('Lambda.ServiceException') };
    // Act
    const run = await h.run(payment, {
      faults: { Reserve: [crash], Charge: [crash, crash], Settle: [crash] },
    });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempts).toMatchObject({ Reserve: 2, Charge: 3, Settle: 2 });
    expect(chargesFor(payment.paymentId).map((c) => c.amount)).toEqual([250]);
    expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 0, held: 0 });
  });

  it.each(['pm_sandbox_timeout_1', 'pm_sandbox_dropresponse_2'])(
    'ambiguous gateway failure (%s): exactly one charge at the gateway',
    async (paymentMethod) => {
      // Prepare
      const walletId = await h.openWallet('EUR', 0);
      const payment = h.payment({ walletId, paymentMethod });
      // Act
      const run = await h.run(payment);
      // Assess
      expect(run.status).toBe('SUCCEEDED');
      expect(chargesFor(payment.paymentId)).toHaveLength(1);
      expect(await h.payments.get(payment.paymentId)).toMatchObject({
        chargeId: chargesFor(payment.paymentId)[0]?.id,
      });
    },
  );
});
