import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentNotRefundableError } from '../../core/errors';
import type { PaymentGateway } from '../../core/gateway/port';
import { createStripeGateway } from '../../core/gateway/stripe-adapter';
import { Ledger } from '../../core/ledger';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import { type RefundStepDeps, releaseRefund, reserveRefund } from '../../core/refunds/steps';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';
import { refundRequest, seedSucceededPayment } from '../helpers/refunds';
import { type StartedSandbox, startSandbox } from '../helpers/sandbox';

/**
 * ReleaseUnconfirmedReservation (ReleaseRefund without Reserve's answer) against a ReserveRefund attempt
 * that is still running: whichever comes first, the refundId ends with no amount held.
 */

let dynamo: LocalDynamo;
let sandbox: StartedSandbox;
let gateway: PaymentGateway;
let ledger: Ledger;
let deps: RefundStepDeps;

beforeAll(async () => {
  dynamo = await startDynalite();
  sandbox = await startSandbox();
  gateway = createStripeGateway({
    apiKey: sandbox.apiKey,
    apiBase: sandbox.url,
    timeoutMs: 400,
    maxNetworkRetries: 0,
  });
  ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger });
  deps = {
    refunds: new PaymentRefundStore(dynamo.doc, dynamo.tables.payments),
    payments: new PaymentsRepository(dynamo.doc, dynamo.tables.payments),
    ledger,
    now: () => new Date(),
  };
});
afterAll(async () => {
  await sandbox?.stop();
  await dynamo?.stop();
});

const error = { Error: 'States.Timeout', Cause: 'ReserveRefund timed out' };
const executionArn = (refundId: string) =>
  `arn:aws:states:us-east-1:000000000000:execution:refund-saga:${refundId}`;

describe('ReleaseUnconfirmedReservation against a late ReserveRefund', () => {
  it('a Reserve attempt arriving after the release cannot reserve: the refundId is spent, nothing is held', async () => {
    // Prepare: a payment with an earlier refund (its item has a reservations map) and one without
    for (const earlier of [true, false]) {
      const payment = await seedSucceededPayment(dynamo, ledger, gateway, { walletAmount: 1000 });
      if (earlier) {
        const first = refundRequest(payment.paymentId, { amount: 100 });
        await reserveRefund(deps, { refund: first, executionArn: executionArn(first.refundId) });
      }
      const refund = refundRequest(payment.paymentId, { amount: 600 });
      // Act: the release runs first (Reserve's answer never came), then the late attempt
      const released = await releaseRefund(deps, {
        refund,
        executionArn: executionArn(refund.refundId),
        error,
      });
      const late = reserveRefund(deps, { refund, executionArn: executionArn(refund.refundId) });
      // Assess
      expect(released).toEqual({ released: 0 });
      await expect(late).rejects.toBeInstanceOf(PaymentNotRefundableError);
      const record = await deps.payments.get(payment.paymentId);
      expect(record?.refunds?.[refund.refundId]).toEqual({
        walletAmount: 0,
        gatewayAmount: 0,
        state: 'RELEASED',
      });
      expect(record?.refundCommitted ?? 0).toBe(earlier ? 100 : 0);
    }
  });

  it('a Reserve that did reserve before the release: the release gives it back', async () => {
    // Prepare
    const payment = await seedSucceededPayment(dynamo, ledger, gateway, { walletAmount: 1000 });
    const refund = refundRequest(payment.paymentId, { amount: 600 });
    await reserveRefund(deps, { refund, executionArn: executionArn(refund.refundId) });
    // Act
    const released = await releaseRefund(deps, {
      refund,
      executionArn: executionArn(refund.refundId),
      error,
    });
    // Assess
    expect(released).toEqual({ released: 600 });
    const record = await deps.payments.get(payment.paymentId);
    expect(record?.refunds?.[refund.refundId]?.state).toBe('RELEASED');
    expect(record?.refundCommitted).toBe(0);
  });
});
