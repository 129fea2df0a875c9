import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentGateway } from '../../core/gateway/port';
import { createStripeGateway } from '../../core/gateway/stripe-adapter';
import { checkLedgerInvariants, Ledger, LedgerReader } from '../../core/ledger';
import { GATEWAY_ACCOUNT, merchantAccount, walletAccount } from '../../core/ledger/accounts';
import { DynamoPaymentLog } from '../../core/payments/payment-log';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import { recordRefundOutcome } from '../../core/refunds/outcome';
import { paymentSplit, splitRefund } from '../../core/refunds/split';
import { committedOf, openRefund, type RefundStepDeps, refundableOf } from '../../core/refunds/steps';
import { type LocalDynamo, startDynalite } from '../helpers/dynalite';
import { notificationRecorder } from '../helpers/notifications';
import { fundedWallet, paymentRequest } from '../helpers/payments';
import { refundRequest, runRefundSteps, seedSucceededPayment } from '../helpers/refunds';
import { type StartedSandbox, startSandbox } from '../helpers/sandbox';

/**
 * The refund saga's steps (core/refunds/steps.ts) over dynalite, the ledger and the sandbox gateway
 * through the real Stripe adapter: each part goes back to its source, the reservation keeps every
 * refund of a payment within what was captured, and each step replays instead of refunding twice.
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
  gateway = createStripeGateway({
    apiKey: sandbox.apiKey,
    apiBase: sandbox.url,
    timeoutMs: 400,
    maxNetworkRetries: 0,
  });
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

const seed = (options: Parameters<typeof seedSucceededPayment>[3] = {}) =>
  seedSucceededPayment(dynamo, ledger, gateway, options);
const available = async (walletId: string) => (await reader.getWallet(walletId))?.available;
const refundsAt = (paymentId: string) => sandbox.sandbox.refundsFor(paymentId);
const refundEntries = async (paymentId: string) =>
  (await reader.snapshot()).entries.filter((e) => e.ref.startsWith(`refund:${paymentId}:`));

describe('Refund saga steps', () => {
  it('refunds a split payment in full: the card part at the gateway, the wallet part to the wallet', async () => {
    // Prepare: 30.00 from the wallet, 20.00 charged on the card
    const payment = await seed({ walletAmount: 3000, gatewayAmount: 2000 });
    const before = await available(payment.walletId);
    // Act
    const run = await runRefundSteps(deps, refundRequest(payment.paymentId));
    // Assess
    expect(run).toMatchObject({ outcome: 'succeeded', reserve: { walletAmount: 3000, gatewayAmount: 2000 } });
    expect(await available(payment.walletId)).toBe((before ?? 0) + 3000);
    expect(refundsAt(payment.paymentId)).toEqual([expect.objectContaining({ amount: 2000 })]);
    const [entry, ...more] = await refundEntries(payment.paymentId);
    expect(more).toEqual([]);
    expect(entry?.operation).toBe('refund_part');
    expect(entry?.lines).toEqual([
      { account: merchantAccount(payment.merchantId), amount: -5000 },
      { account: walletAccount(payment.walletId), amount: 3000 },
      { account: GATEWAY_ACCOUNT, amount: 2000 },
    ]);
    const record = await payments.get(payment.paymentId);
    expect(record).toMatchObject({ refunded: 5000, refundedWallet: 3000, refundedGateway: 2000 });
    expect(record && refundableOf(record)).toBe(0);
    expect(checkLedgerInvariants(await reader.snapshot()).violations).toEqual([]);
  });

  it('two partial refunds, then a third that would exceed: refused with the amount still refundable', async () => {
    // Prepare
    const payment = await seed({ walletAmount: 1000, gatewayAmount: 4000 });
    // Act
    const first = await runRefundSteps(deps, refundRequest(payment.paymentId, { amount: 3000 }));
    const second = await runRefundSteps(deps, refundRequest(payment.paymentId, { amount: 1500 }));
    const third = await runRefundSteps(deps, refundRequest(payment.paymentId, { amount: 1000 }));
    // Assess: card first (3000 of 4000), then the card's last 1000 and 500 from the wallet
    expect(first).toMatchObject({ outcome: 'succeeded', reserve: { gatewayAmount: 3000, walletAmount: 0 } });
    expect(second).toMatchObject({
      outcome: 'succeeded',
      reserve: { gatewayAmount: 1000, walletAmount: 500 },
    });
    expect(third).toMatchObject({
      outcome: 'failed',
      error: { name: 'RefundExceedsRefundableError', refundable: 500 },
    });
    expect(refundsAt(payment.paymentId).map((r) => r.amount)).toEqual(expect.arrayContaining([3000, 1000]));
    expect(refundsAt(payment.paymentId)).toHaveLength(2);
    expect(await payments.get(payment.paymentId)).toMatchObject({ refunded: 4500, refundCommitted: 4500 });
  });

  it('a wallet-only payment: the wallet is credited, the gateway is never called', async () => {
    // Prepare
    const payment = await seed({ walletAmount: 2500, gatewayAmount: 0 });
    const requestsBefore = sandbox.sandbox.requests().length;
    // Act
    const run = await runRefundSteps(deps, refundRequest(payment.paymentId, { amount: 2500 }));
    // Assess
    expect(run).toMatchObject({ outcome: 'succeeded', reserve: { walletAmount: 2500, gatewayAmount: 0 } });
    expect(sandbox.sandbox.requests().length).toBe(requestsBefore);
    expect(await available(payment.walletId)).toBe(10_000 + 2500);
  });

  it('every step run twice (lost answers): one reservation, one gateway refund, one reversal', async () => {
    // Prepare
    const payment = await seed({ walletAmount: 700, gatewayAmount: 300 });
    const refund = refundRequest(payment.paymentId, { amount: 1000 });
    // Act
    const first = await runRefundSteps(deps, refund);
    const again = await runRefundSteps(deps, refund);
    // Assess
    expect(first.outcome).toBe('succeeded');
    expect(again).toMatchObject({
      outcome: 'succeeded',
      reserve: { replayed: true },
      reversal: { replayed: true },
    });
    expect(refundsAt(payment.paymentId)).toHaveLength(1);
    expect(await refundEntries(payment.paymentId)).toHaveLength(1);
    expect(await available(payment.walletId)).toBe(10_000 + 700);
    expect(await payments.get(payment.paymentId)).toMatchObject({ refunded: 1000 });
  });

  it('the gateway answer is lost once: the retry replays the one refund by its key', async () => {
    // Prepare
    const payment = await seed({
      walletAmount: 0,
      gatewayAmount: 1800,
      paymentMethod: 'pm_sandbox_refunddrop_1',
    });
    // Act
    const run = await runRefundSteps(deps, refundRequest(payment.paymentId, { amount: 600 }));
    // Assess
    expect(run.outcome).toBe('succeeded');
    expect(refundsAt(payment.paymentId)).toEqual([expect.objectContaining({ amount: 600 })]);
    const keys = sandbox.sandbox
      .requests()
      .filter((r) => r.idempotencyKey?.startsWith(`refund:${payment.paymentId}:`));
    expect(keys.length).toBeGreaterThan(1);
    expect(new Set(keys.map((r) => r.idempotencyKey)).size).toBe(1);
  });

  it('a gateway refund refused for good releases the reservation and fails; the amount is refundable again', async () => {
    // Prepare: the charge was refunded in full out of band (the dashboard)
    const payment = await seed({ walletAmount: 0, gatewayAmount: 900 });
    sandbox.sandbox.injectRefund({ chargeId: payment.chargeId ?? '', amount: 900 });
    // Act
    const run = await runRefundSteps(deps, refundRequest(payment.paymentId, { amount: 400 }));
    // Assess
    expect(run).toMatchObject({ outcome: 'failed', error: { name: 'InvalidPaymentError' } });
    expect(refundsAt(payment.paymentId)).toHaveLength(1);
    const record = await payments.get(payment.paymentId);
    expect(record).toMatchObject({ refundCommitted: 0 });
    expect(record && refundableOf(record)).toBe(900);
    expect(await refundEntries(payment.paymentId)).toEqual([]);
  });

  it('concurrent refunds of one payment never reserve more than was captured', async () => {
    // Prepare: 10 refunds of 30.00 at once on a 100.00 payment
    const payment = await seed({ walletAmount: 6000, gatewayAmount: 4000 });
    const asks = Array.from({ length: 10 }, () => refundRequest(payment.paymentId, { amount: 3000 }));
    // Act
    const runs = await Promise.all(asks.map((refund) => runRefundSteps(deps, refund)));
    // Assess
    expect(runs.filter((r) => r.outcome === 'succeeded')).toHaveLength(3);
    expect(runs.filter((r) => r.outcome === 'failed')).toHaveLength(7);
    expect(await payments.get(payment.paymentId)).toMatchObject({ refunded: 9000, refundCommitted: 9000 });
    expect(refundsAt(payment.paymentId).reduce((sum, r) => sum + r.amount, 0)).toBe(4000);
    expect(await available(payment.walletId)).toBe(10_000 + 5000);
  });

  it('a legacy record (no split fields): refundable is the amount, the card part first', async () => {
    // Prepare: held and charged in full, as before the wallet-first funds flow
    const payment = await seed({ amount: 1250 });
    // Act
    const run = await runRefundSteps(deps, refundRequest(payment.paymentId));
    const more = await runRefundSteps(deps, refundRequest(payment.paymentId, { amount: 1 }));
    // Assess
    expect(run).toMatchObject({ outcome: 'succeeded', reserve: { amount: 1250, gatewayAmount: 1250 } });
    expect(more).toMatchObject({ outcome: 'failed', error: { refundable: 0 } });
  });

  it('a payment that did not succeed cannot be refunded', async () => {
    // Prepare: a FAILED payment
    const walletId = await fundedWallet(ledger, 5000);
    const request = paymentRequest(walletId);
    const log = new DynamoPaymentLog(dynamo.doc, dynamo.tables.payments);
    await log.open(request, `arn:aws:states:us-east-1:000000000000:execution:x:${request.paymentId}`);
    await log.advance(request.paymentId, 'FAILED', { reasonCode: 'card_declined' });
    // Act
    const run = await runRefundSteps(deps, refundRequest(request.paymentId));
    // Assess
    expect(run).toMatchObject({ outcome: 'failed', error: { name: 'PaymentNotRefundableError' } });
  });

  it('the same refundId with another request is refused', async () => {
    // Prepare
    const payment = await seed({ walletAmount: 500, gatewayAmount: 500 });
    const refund = refundRequest(payment.paymentId, { amount: 100 });
    await runRefundSteps(deps, refund);
    const record = await payments.get(payment.paymentId);
    if (!record) throw new Error('seeded payment missing');
    // Act
    const same = openRefund(deps, refund, 'arn:x', record);
    const other = openRefund(deps, { ...refund, reason: 'another reason' }, 'arn:x', record);
    // Assess
    await expect(same).resolves.toMatchObject({ outcome: 'duplicate' });
    await expect(other).rejects.toMatchObject({ name: 'InvalidPaymentError' });
    expect(await refunds.get(payment.paymentId, refund.refundId)).toMatchObject({
      status: 'RESERVED',
      reason: 'customer asked',
      amount: 100,
    });
  });

  it('a crash between the reservation and RESERVED: the retry advances the record and the outcome is recorded', async () => {
    // Prepare: Reserve opened the record and reserved, then crashed before advance(RESERVED)
    const payment = await seed({ walletAmount: 500, gatewayAmount: 500 });
    const refund = refundRequest(payment.paymentId, { amount: 800 });
    const record = await payments.get(payment.paymentId);
    if (!record) throw new Error('seeded payment missing');
    await openRefund(deps, refund, 'arn:x', record);
    const parts = splitRefund(800, paymentSplit(record), committedOf(record));
    if (!parts) throw new Error('nothing to reserve');
    await refunds.reserveRefund(payment.paymentId, refund.refundId, parts, paymentSplit(record), false);
    // Act: the retried saga, then RecordSuccess
    const run = await runRefundSteps(deps, refund);
    if (run.outcome !== 'succeeded') throw new Error(`refund ${run.outcome}`);
    const reserved = await refunds.get(payment.paymentId, refund.refundId);
    const outcome = await recordRefundOutcome(
      refunds,
      {
        outcome: 'succeeded',
        executionArn: 'arn:x',
        saga: {
          refund,
          reserve: run.reserve,
          gatewayRefund: { status: 'succeeded' },
          reversal: run.reversal,
        },
      },
      { eventBusName: 'bus', compensationDlqName: 'dlq' },
      new Date(),
      notificationRecorder().queue,
    );
    // Assess
    expect(run.reserve).toMatchObject({ replayed: true, gatewayAmount: 500, walletAmount: 300 });
    expect(reserved).toMatchObject({
      status: 'RESERVED',
      amount: 800,
      gatewayAmount: 500,
      walletAmount: 300,
    });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(await refunds.get(payment.paymentId, refund.refundId)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('an outcome the refund record cannot take fails loudly with a named error', async () => {
    // Prepare: a record still REQUESTED (never reserved)
    const payment = await seed({ walletAmount: 400, gatewayAmount: 0 });
    const refund = refundRequest(payment.paymentId, { amount: 100 });
    const record = await payments.get(payment.paymentId);
    if (!record) throw new Error('seeded payment missing');
    await openRefund(deps, refund, 'arn:x', record);
    const reserve = {
      amount: 100,
      currency: 'EUR',
      exponent: 2,
      walletAmount: 100,
      gatewayAmount: 0,
      walletId: payment.walletId,
      merchantId: payment.merchantId,
      replayed: false,
    };
    // Act
    const recorded = recordRefundOutcome(
      refunds,
      {
        outcome: 'succeeded',
        executionArn: 'arn:x',
        saga: { refund, reserve, gatewayRefund: { status: 'not_needed' } },
      },
      { eventBusName: 'bus', compensationDlqName: 'dlq' },
      new Date(),
      notificationRecorder().queue,
    );
    // Assess
    await expect(recorded).rejects.toMatchObject({ name: 'RefundStatusConflictError' });
    expect(await refunds.get(payment.paymentId, refund.refundId)).toMatchObject({ status: 'REQUESTED' });
  });
});
