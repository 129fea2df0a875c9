import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentGateway } from '../../core/gateway/port';
import { createStripeGateway } from '../../core/gateway/stripe-adapter';
import { Ledger } from '../../core/ledger';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import { type RefundStepDeps, refundableOf } from '../../core/refunds/steps';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';
import { refundRequest, runRefundSteps, seedSucceededPayment } from '../helpers/refunds';
import { type StartedSandbox, startSandbox } from '../helpers/sandbox';

/**
 * RefundAtGateway run again more than a day after an attempt whose answer was lost (a redrive): Stripe has
 * forgotten the key refund:<paymentId>:<refundId> after 24 h, so the step first looks for the refund it may
 * have made (the charge's refunds, metadata.refundId) and never refunds twice nor releases what was refunded.
 * Two clocks: the gateway's (its idempotency keys expire) and the saga's (it dates its first attempt).
 */

const HOUR = 3600 * 1000;
let gatewayOffset = 0;
let sagaOffset = 0;
let dynamo: LocalDynamo;
let sandbox: StartedSandbox;
let gateway: PaymentGateway;
let ledger: Ledger;
let payments: PaymentsRepository;
let refunds: PaymentRefundStore;
let deps: RefundStepDeps & { gateway: PaymentGateway };

beforeAll(async () => {
  dynamo = await startDynalite();
  sandbox = await startSandbox({ now: () => Date.now() + gatewayOffset });
  gateway = createStripeGateway({
    apiKey: sandbox.apiKey,
    apiBase: sandbox.url,
    timeoutMs: 400,
    maxNetworkRetries: 0,
  });
  ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger });
  payments = new PaymentsRepository(dynamo.doc, dynamo.tables.payments);
  refunds = new PaymentRefundStore(dynamo.doc, dynamo.tables.payments);
  deps = { refunds, payments, ledger, gateway, now: () => new Date(Date.now() + sagaOffset) };
});

afterAll(async () => {
  await sandbox?.stop();
  await dynamo?.stop();
});

/** A card-only payment whose first 4 refund answers are lost (two calls: the SDK resends a reset request once), and a refund run that stops on them. */
async function stoppedRefund(gatewayAmount: number, refundAmount: number) {
  gatewayOffset = 0;
  sagaOffset = 0;
  const payment = await seedSucceededPayment(dynamo, ledger, gateway, {
    walletAmount: 0,
    gatewayAmount,
    paymentMethod: 'pm_sandbox_refunddrop_4',
  });
  const refund = refundRequest(payment.paymentId, { amount: refundAmount });
  const stopped = await runRefundSteps(deps, refund, { attempts: 2 });
  return { payment, refund, stopped };
}

describe('RefundAtGateway after the gateway forgot its key', () => {
  it('a partial refund redriven 25 h after lost answers reuses the refund it made, once', async () => {
    // Prepare: the refund was made but both answers were lost; the execution stopped
    const { payment, refund, stopped } = await stoppedRefund(2000, 600);
    gatewayOffset = 25 * HOUR;
    sagaOffset = 25 * HOUR;
    // Act: an operator redrives a day later
    const redriven = await runRefundSteps(deps, refund);
    // Assess
    expect(stopped.outcome).toBe('stopped');
    expect(redriven.outcome).toBe('succeeded');
    expect(sandbox.sandbox.refundsFor(payment.paymentId)).toEqual([expect.objectContaining({ amount: 600 })]);
    const [made] = sandbox.sandbox.refundsFor(payment.paymentId);
    expect(await refunds.get(payment.paymentId, refund.refundId)).toMatchObject({
      gatewayRefundId: made?.id,
      refundAttemptedAt: expect.any(String),
    });
    expect(await payments.get(payment.paymentId)).toMatchObject({ refunded: 600, refundCommitted: 600 });
  });

  it('a full refund redriven 25 h later is not released although the gateway says nothing is left', async () => {
    // Prepare: the whole charge was refunded by the lost attempt
    const { payment, refund } = await stoppedRefund(900, 900);
    gatewayOffset = 25 * HOUR;
    sagaOffset = 25 * HOUR;
    // Act
    const redriven = await runRefundSteps(deps, refund);
    // Assess
    expect(redriven.outcome).toBe('succeeded');
    expect(sandbox.sandbox.refundsFor(payment.paymentId)).toHaveLength(1);
    const record = await payments.get(payment.paymentId);
    expect(record).toMatchObject({ refunded: 900, refundCommitted: 900 });
    expect(record && refundableOf(record)).toBe(0);
  });

  it('a final gateway error after an earlier attempt looks for that refund before releasing', async () => {
    // Prepare: the saga's clock says within the window, the gateway's key expired (skew, a late redrive)
    const { payment, refund } = await stoppedRefund(700, 700);
    gatewayOffset = 25 * HOUR;
    sagaOffset = 1 * HOUR;
    // Act
    const redriven = await runRefundSteps(deps, refund);
    // Assess
    expect(redriven.outcome).toBe('succeeded');
    expect(sandbox.sandbox.refundsFor(payment.paymentId)).toHaveLength(1);
    expect(await payments.get(payment.paymentId)).toMatchObject({ refunded: 700, refundCommitted: 700 });
  });

  it('a final gateway error on the first attempt still releases (nothing was refunded)', async () => {
    // Prepare: refunded in full out of band before the refund saga ran
    gatewayOffset = 0;
    sagaOffset = 0;
    const payment = await seedSucceededPayment(dynamo, ledger, gateway, {
      walletAmount: 0,
      gatewayAmount: 500,
    });
    sandbox.sandbox.injectRefund({ chargeId: payment.chargeId ?? '', amount: 500 });
    // Act
    const run = await runRefundSteps(deps, refundRequest(payment.paymentId, { amount: 200 }));
    // Assess
    expect(run).toMatchObject({ outcome: 'failed', error: { name: 'InvalidPaymentError' } });
    expect(await payments.get(payment.paymentId)).toMatchObject({ refundCommitted: 0 });
  });
});
