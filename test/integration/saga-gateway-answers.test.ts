import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SagaHarness, startSagaHarness } from '../helpers/saga-harness';

/**
 * Gateway answers that must never turn a charge into a "failed" payment (issue 14, item 3): the real ASL
 * and handlers against dynalite and the sandbox gateway's pm_sandbox_inprogress / declinecharged methods.
 */

let h: SagaHarness;

beforeAll(async () => {
  h = await startSagaHarness();
});

afterAll(async () => {
  await h?.stop();
});

const chargesFor = (paymentId: string) => h.gateway.sandbox.chargesFor(paymentId);
const refundsFor = (paymentId: string) => h.gateway.sandbox.refundsFor(paymentId);
const holdOf = (walletId: string, paymentId: string) => h.ledgerReader.holdOf(walletId, paymentId);
const detailTypes = (paymentId: string) => h.eventsFor(paymentId).map((e) => e.detailType);
const compensationDlq = () =>
  `https://sqs.us-east-1.amazonaws.com/000000000000/${h.names.queues.compensationDlq}`;

describe('Saga: gateway answers after which money may have moved', () => {
  it('409 "a request with this key is in progress", then success: retried, SUCCEEDED, charged once', async () => {
    // Prepare: an earlier request with the paymentId as key is still running and charges meanwhile
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId, paymentMethod: 'pm_sandbox_inprogress_2' });
    // Act
    const run = await h.run(payment);
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempts.Charge).toBeGreaterThan(1);
    expect(
      h.gateway.sandbox.requests().filter((r) => r.idempotencyKey === payment.paymentId && r.outcome === 409),
    ).toHaveLength(2);
    const charges = chargesFor(payment.paymentId);
    expect(charges).toHaveLength(1);
    expect(refundsFor(payment.paymentId)).toHaveLength(0);
    expect(await holdOf(walletId, payment.paymentId)).toMatchObject({ state: 'POSTED', captured: 1000 });
    expect(await h.payments.get(payment.paymentId)).toMatchObject({
      status: 'SUCCEEDED',
      chargeId: charges[0]?.id,
    });
    expect(detailTypes(payment.paymentId)).toEqual(['PaymentSucceeded']);
  });

  it('a decline whose charge nevertheless exists: the charge is found and refunded, then the hold released', async () => {
    // Prepare: the gateway's search lags writes by a minute, as Stripe's may, so only a list finds the charge
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId, paymentMethod: 'pm_sandbox_declinecharged' });
    h.gateway.sandbox.setSearchLag(60_000);
    // Act
    const run = await h.run(payment).finally(() => h.gateway.sandbox.setSearchLag(0));
    // Assess
    // The payment failed, the execution did not: Failed is a Succeed-type state.
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
    const [charge] = chargesFor(payment.paymentId);
    expect(charge).toMatchObject({ amount: 250, refunded: 250 });
    expect(refundsFor(payment.paymentId)).toEqual([
      expect.objectContaining({ chargeId: charge?.id, amount: 250 }),
    ]);
    expect(await holdOf(walletId, payment.paymentId)).toMatchObject({ state: 'VOIDED' });
    expect(await h.ledgerReader.getWallet(walletId)).toMatchObject({ available: 1000, held: 0 });
    expect(detailTypes(payment.paymentId)).toEqual(['PaymentFailed', 'PaymentCompensated']);
    expect(h.eventsFor(payment.paymentId)[1]?.detail).toMatchObject({
      compensations: ['RefundCharge', 'ReleaseFunds'],
      refundId: refundsFor(payment.paymentId)[0]?.id,
    });
  });

  it('several charges for one payment: parked with PaymentNeedsAttention, hold kept, never Failed', async () => {
    // Prepare
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId, paymentMethod: 'pm_sandbox_declinecharged_2' });
    // Act
    const run = await h.run(payment);
    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'CompensationFailed' });
    expect(run.statesEntered).not.toContain('ReleaseFunds');
    expect(run.statesEntered).not.toContain('RecordFailure');
    expect(run.attempts.RefundCharge).toBe(1);
    expect(chargesFor(payment.paymentId)).toHaveLength(2);
    expect(refundsFor(payment.paymentId)).toHaveLength(0);
    expect(await holdOf(walletId, payment.paymentId)).toMatchObject({ state: 'PENDING' });
    const [parked] = h.messagesTo(compensationDlq(), payment.paymentId);
    expect(JSON.parse(parked?.body ?? '{}')).toMatchObject({
      kind: 'compensation',
      paymentId: payment.paymentId,
      error: 'LedgerInvariantError',
    });
    expect(detailTypes(payment.paymentId)).toEqual(['PaymentNeedsAttention']);
    expect(h.eventsFor(payment.paymentId)[0]?.detail).toMatchObject({
      failedCompensation: 'RefundCharge',
      error: 'LedgerInvariantError',
    });
    expect(await h.payments.get(payment.paymentId)).toMatchObject({ status: 'NEEDS_ATTENTION' });
  });

  it('a charge still processing is not settled on: Charge retries until the intent has succeeded', async () => {
    // Prepare: the intent answers processing to the charge and its first read, then succeeds
    const walletId = await h.openWallet('EUR', 1000);
    const payment = h.payment({ walletId, paymentMethod: 'pm_sandbox_processing_1' });
    // Act
    const run = await h.run(payment);
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.attempts.Charge).toBe(2);
    const charges = chargesFor(payment.paymentId);
    expect(charges).toHaveLength(1);
    expect(await holdOf(walletId, payment.paymentId)).toMatchObject({ state: 'POSTED', captured: 1000 });
    const record = await h.payments.get(payment.paymentId);
    expect(record).toMatchObject({ status: 'SUCCEEDED', chargeId: charges[0]?.id });
    // Both attempts recorded: the first dates the idempotency key, the latest bounds a lookup
    expect(record?.lastChargeAttemptedAt).toBeDefined();
    expect(Date.parse(record?.lastChargeAttemptedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(record?.chargeAttemptedAt ?? ''),
    );
  });
});
