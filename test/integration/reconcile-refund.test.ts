import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdateCommand } from '../../core/aws/dynamodb';
import type { Discrepancy, DiscrepancyKind } from '../../core/finance/discrepancy';
import { parsePeriod } from '../../core/finance/period';
import { reconcile } from '../../core/finance/reconcile';
import type { PaymentGateway } from '../../core/gateway/port';
import { createStripeGateway } from '../../core/gateway/stripe-adapter';
import { Ledger, LedgerReader } from '../../core/ledger';
import { money } from '../../core/money';
import { paymentKey } from '../../core/payments/keys';
import { PaymentRefundStore, refundKey } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import { postReversal, type RefundStepDeps, refundAtGateway, reserveRefund } from '../../core/refunds/steps';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';
import { refundExecutionArnOf, seedSettledPayment, succeedRefund } from '../helpers/refund-outcomes';
import { refundRequest, type SeededPayment, type SeedOptions } from '../helpers/refunds';
import { type StartedSandbox, startSandbox } from '../helpers/sandbox';

/**
 * payctl reconcile checks each refund saga refund three ways (issue 16): the ledger reversal
 * (refund_part), the gateway refund (metadata.refundId) and the saga's outcome (refund record +
 * the payment item's reservation). Refunds are written the way the refund steps write them; each
 * discrepancy is injected by writing the inconsistent item, entry or gateway refund directly.
 */

let dynamo: LocalDynamo;
let sandbox: StartedSandbox;
let gateway: PaymentGateway;
let ledger: Ledger;
let reader: LedgerReader;
let payments: PaymentsRepository;
let refunds: PaymentRefundStore;
let deps: RefundStepDeps & { gateway: PaymentGateway };

beforeAll(async () => {
  dynamo = await startDynalite();
  sandbox = await startSandbox();
  gateway = createStripeGateway({ apiKey: sandbox.apiKey, apiBase: sandbox.url, maxNetworkRetries: 0 });
  ledger = new Ledger({ doc: dynamo.doc, tableName: dynamo.tables.ledger });
  reader = new LedgerReader(dynamo.doc, dynamo.tables.ledger);
  payments = new PaymentsRepository(dynamo.doc, dynamo.tables.payments);
  refunds = new PaymentRefundStore(dynamo.doc, dynamo.tables.payments);
  deps = { refunds, payments, ledger, gateway, now: () => new Date() };
});

afterAll(async () => {
  await sandbox?.stop();
  await dynamo?.stop();
});

const seed = (options: SeedOptions) => seedSettledPayment(dynamo, ledger, gateway, options);

/** Reconciles today (every payment of this file) and returns what it found for these payments. */
async function reconcileOf(...seeded: SeededPayment[]): Promise<Discrepancy[]> {
  const today = new Date().toISOString().slice(0, 10);
  const found: Discrepancy[] = [];
  await reconcile(
    parsePeriod(today, today),
    {
      payments,
      ledger: reader,
      gateway,
      executionStatus: async () => undefined,
      refunds: { records: refunds, gateway, ledger: reader },
    },
    { now: new Date(), onDiscrepancy: (d) => found.push(d) },
  );
  const ids = new Set(seeded.map((p) => p.paymentId));
  return found.filter((d) => d.paymentId !== undefined && ids.has(d.paymentId));
}

const kinds = (found: Discrepancy[]): DiscrepancyKind[] => found.map((d) => d.kind).sort();

/** Reserve and RefundAtGateway as the saga runs them, not PostReversal. */
async function reserveAndRefund(payment: SeededPayment, amount?: number) {
  const refund = refundRequest(payment.paymentId, amount === undefined ? {} : { amount });
  const executionArn = refundExecutionArnOf(refund.refundId);
  const reserve = await reserveRefund(deps, { refund, executionArn });
  const gatewayRefund = await refundAtGateway(deps, { refund, executionArn, reserve });
  return { refund, executionArn, reserve, gatewayRefund };
}

describe('reconcile and the refund saga', () => {
  it('finds nothing on a clean set: full, two partials, wallet-only and split refunds', async () => {
    // Prepare
    const cardOnly = await seed({ walletAmount: 0, gatewayAmount: 2000 });
    const twice = await seed({ walletAmount: 3000, gatewayAmount: 2000 });
    const walletOnly = await seed({ walletAmount: 1500, gatewayAmount: 0 });
    const split = await seed({ walletAmount: 1200, gatewayAmount: 800 });
    await succeedRefund(deps, refundRequest(cardOnly.paymentId));
    await succeedRefund(deps, refundRequest(twice.paymentId, { amount: 1500 }));
    await succeedRefund(deps, refundRequest(twice.paymentId, { amount: 1500 }));
    await succeedRefund(deps, refundRequest(walletOnly.paymentId));
    await succeedRefund(deps, refundRequest(split.paymentId));
    // Act
    const found = await reconcileOf(cardOnly, twice, walletOnly, split);
    // Assess: the gateway holds two refunds of `twice`'s charge, both the refund saga's
    expect(sandbox.sandbox.refundsFor(twice.paymentId)).toHaveLength(2);
    expect(found).toEqual([]);
  });

  it('refund_not_posted: refunded at the gateway, parked NEEDS_ATTENTION, no reversal', async () => {
    // Prepare
    const payment = await seed({ walletAmount: 1000, gatewayAmount: 1000 });
    const { refund } = await reserveAndRefund(payment, 700);
    await refunds.advance(payment.paymentId, refund.refundId, 'NEEDS_ATTENTION', {
      failedState: 'PostReversal',
    });
    // Act
    const found = await reconcileOf(payment);
    // Assess
    expect(kinds(found)).toEqual(['refund_not_posted']);
    expect(found[0]).toMatchObject({ refundIds: [refund.refundId], amountMinor: 700 });
  });

  it('refund_not_at_gateway: a reversal with a card part the gateway never refunded', async () => {
    // Prepare: PostReversal ran without RefundAtGateway
    const payment = await seed({ walletAmount: 500, gatewayAmount: 1500 });
    const refund = refundRequest(payment.paymentId, { amount: 1000 });
    const executionArn = refundExecutionArnOf(refund.refundId);
    const reserve = await reserveRefund(deps, { refund, executionArn });
    const gatewayRefund = { status: 'succeeded' as const, gatewayRefundId: 're_never_made' };
    await postReversal(deps, { refund, executionArn, reserve, gatewayRefund });
    await refunds.advance(payment.paymentId, refund.refundId, 'SUCCEEDED');
    // Act
    const found = await reconcileOf(payment);
    // Assess
    expect(kinds(found)).toEqual(['refund_not_at_gateway']);
    expect(found[0]).toMatchObject({ amountMinor: 1000 });
  });

  it('refund_over_captured: a second refund of the wallet part beyond what the wallet paid', async () => {
    // Prepare: a wallet-only payment refunded in full, then another refund record, reservation and reversal
    const payment = await seed({ walletAmount: 1000, gatewayAmount: 0 });
    await succeedRefund(deps, refundRequest(payment.paymentId));
    const extra = `ref_${randomUUID().slice(0, 8)}`;
    await refunds.putRequest({
      refundId: extra,
      paymentId: payment.paymentId,
      requestedAmount: 500,
      currency: 'EUR',
      exponent: 2,
      reason: 'injected',
      requestHash: 'h',
      requestedAt: new Date().toISOString(),
      executionArn: refundExecutionArnOf(extra),
    });
    await refunds.advance(payment.paymentId, extra, 'RESERVED', {
      amount: 500,
      walletAmount: 500,
      gatewayAmount: 0,
    });
    await refunds.advance(payment.paymentId, extra, 'SUCCEEDED');
    await dynamo.doc.send(
      new UpdateCommand({
        TableName: dynamo.tables.payments,
        Key: paymentKey(payment.paymentId),
        UpdateExpression: 'SET refunds.#rid = :r',
        ExpressionAttributeNames: { '#rid': extra },
        ExpressionAttributeValues: { ':r': { walletAmount: 500, gatewayAmount: 0, state: 'REFUNDED' } },
      }),
    );
    await ledger.refundPart({
      paymentId: payment.paymentId,
      refundId: extra,
      walletId: payment.walletId,
      merchantId: payment.merchantId,
      currency: 'EUR',
      walletAmount: 500,
      gatewayAmount: 0,
    });
    // Act
    const found = await reconcileOf(payment);
    // Assess
    expect(kinds(found)).toEqual(['refund_over_captured']);
    expect(found[0]?.message).toContain('EUR 15.00 back to the wallet of EUR 10.00');
  });

  it('refund_amount_mismatch: the refund record says other parts than the ledger and the reservation', async () => {
    // Prepare
    const payment = await seed({ walletAmount: 1000, gatewayAmount: 1000 });
    const refund = refundRequest(payment.paymentId, { amount: 1200 });
    await succeedRefund(deps, refund);
    await dynamo.doc.send(
      new UpdateCommand({
        TableName: dynamo.tables.payments,
        Key: refundKey(payment.paymentId, refund.refundId),
        UpdateExpression: 'SET walletAmount = :w, amount = :a',
        ExpressionAttributeValues: { ':w': 300, ':a': 1300 },
      }),
    );
    // Act
    const found = await reconcileOf(payment);
    // Assess
    expect(kinds(found)).toEqual(['refund_amount_mismatch']);
    expect(found[0]?.message).toContain('the ledger reversed wallet EUR 2.00 + card EUR 10.00');
  });

  it('refund_outcome_mismatch: the record ended FAILED although the gateway refunded and the ledger reversed', async () => {
    // Prepare
    const payment = await seed({ walletAmount: 0, gatewayAmount: 900 });
    const { refund, executionArn, reserve, gatewayRefund } = await reserveAndRefund(payment);
    await postReversal(deps, { refund, executionArn, reserve, gatewayRefund });
    await refunds.advance(payment.paymentId, refund.refundId, 'FAILED', { reasonCode: 'injected' });
    // Act
    const found = await reconcileOf(payment);
    // Assess
    expect(kinds(found)).toEqual(['refund_outcome_mismatch']);
    expect(found[0]?.message).toContain('ended FAILED (injected)');
  });

  it('refund_gateway_unrecorded: a gateway refund with a refundId no refund record knows', async () => {
    // Prepare
    const payment = await seed({ walletAmount: 0, gatewayAmount: 900 });
    await gateway.refund({
      paymentId: payment.paymentId,
      chargeId: payment.chargeId ?? '',
      amount: money(200, 'EUR'),
      refundId: 'ref_ghost',
    });
    // Act
    const found = await reconcileOf(payment);
    // Assess
    expect(kinds(found)).toEqual(['refund_gateway_unrecorded']);
    expect(found[0]).toMatchObject({ refundIds: ['ref_ghost'], amountMinor: 200 });
  });

  it('checks the refunds of a payment requested before the period once, with its charge of the period', async () => {
    // Prepare: a refund parked NEEDS_ATTENTION after the gateway refunded; the payment moved to yesterday
    const payment = await seed({ walletAmount: 0, gatewayAmount: 1200 });
    const { refund } = await reserveAndRefund(payment, 500);
    await refunds.advance(payment.paymentId, refund.refundId, 'NEEDS_ATTENTION', {
      failedState: 'PostReversal',
    });
    await dynamo.doc.send(
      new UpdateCommand({
        TableName: dynamo.tables.payments,
        Key: paymentKey(payment.paymentId),
        UpdateExpression: 'SET requestedAt = :yesterday REMOVE gsi1pk, gsi1sk',
        ExpressionAttributeValues: { ':yesterday': new Date(Date.now() - 86_400_000).toISOString() },
      }),
    );
    // Act
    const found = await reconcileOf(payment);
    // Assess
    expect(kinds(found)).toEqual(['refund_not_posted']);
  });

  it("keeps the payment saga's compensation refund apart: a refund without refundId after success is refunded_after_success", async () => {
    // Prepare: a refund saga refund, and a refund keyed refund:<paymentId> as the compensation makes
    const payment = await seed({ walletAmount: 0, gatewayAmount: 1000 });
    await succeedRefund(deps, refundRequest(payment.paymentId, { amount: 400 }));
    await gateway.refund({
      paymentId: payment.paymentId,
      chargeId: payment.chargeId ?? '',
      amount: money(100, 'EUR'),
    });
    // Act
    const found = await reconcileOf(payment);
    // Assess
    expect(kinds(found)).toEqual(['refunded_after_success']);
    expect(found[0]?.amountMinor).toBe(100);
  });
});
