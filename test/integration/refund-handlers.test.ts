import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaymentRefundStore } from '../../core/payments/refund-store';
import { PaymentsRepository } from '../../core/payments/repository';
import { refundableOf } from '../../core/refunds/steps';
import { lambdaContext } from '../../local/lambda/context';
import { refundRequest } from '../helpers/refunds';
import { type SagaHarness, startSagaHarness } from '../helpers/saga-harness';

/**
 * The refund saga's Lambda handlers (functions/refund-*.ts) over the shared
 * step pipeline: invoked in the ASL's order after a real payment saga, each
 * answers what the next state needs, a replay refunds nothing twice, a
 * malformed state and an unknown error come out named for the ASL's Catch.
 */
type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
const HANDLERS = ['reserve', 'at-gateway', 'post-reversal', 'release', 'record-outcome'] as const;

let h: SagaHarness;
let handlers: Record<(typeof HANDLERS)[number], Handler>;
let refunds: PaymentRefundStore;
let payments: PaymentsRepository;

beforeAll(async () => {
  h = await startSagaHarness();
  // Handlers read their environment when first imported: after the harness set it.
  handlers = Object.fromEntries(
    await Promise.all(
      HANDLERS.map(async (name) => {
        const module = (await import(`../../functions/refund-${name}.ts`)) as { handler: Handler };
        return [name, module.handler] as const;
      }),
    ),
  ) as typeof handlers;
  refunds = new PaymentRefundStore(h.dynamo.doc, h.dynamo.tables.payments);
  payments = new PaymentsRepository(h.dynamo.doc, h.dynamo.tables.payments);
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const invoke = (name: (typeof HANDLERS)[number], event: unknown) =>
  handlers[name](
    structuredClone(event),
    lambdaContext({ functionName: `refund-${name}`, timeoutSeconds: 30 }),
  );
const executionArnOf = (refundId: string) =>
  `arn:aws:states:us-east-1:000000000000:execution:paysaga-test-refund-saga:${refundId}`;

/** A SUCCEEDED payment through the real payment saga: 10.00 from the wallet, 2.50 on the card. */
async function succeededSplitPayment() {
  const walletId = await h.openWallet('EUR', 1000);
  const payment = h.payment({ walletId, amount: { value: 1250, currency: 'EUR', exponent: 2 } });
  const run = await h.run(payment);
  expect(run.status).toBe('SUCCEEDED');
  return { walletId, paymentId: payment.paymentId };
}

describe('Refund saga handlers', () => {
  it('refund everything of a split payment: Reserve, RefundAtGateway, PostReversal, RecordSuccess in order', async () => {
    // Prepare
    const { walletId, paymentId } = await succeededSplitPayment();
    const refund = refundRequest(paymentId);
    const executionArn = executionArnOf(refund.refundId);
    // Act
    const reserve = await invoke('reserve', { refund, executionArn });
    const gatewayRefund = await invoke('at-gateway', { refund, reserve, executionArn });
    const replayed = await invoke('at-gateway', { refund, reserve, executionArn });
    const reversal = await invoke('post-reversal', { refund, reserve, gatewayRefund, executionArn });
    const outcome = (await invoke('record-outcome', {
      outcome: 'succeeded',
      saga: { refund, reserve, gatewayRefund, reversal },
      executionArn,
    })) as { status: string; entries: { DetailType: string }[] };
    // Assess
    expect(reserve).toMatchObject({ amount: 1250, walletAmount: 1000, gatewayAmount: 250, replayed: false });
    expect(gatewayRefund).toMatchObject({ status: 'succeeded' });
    expect(replayed).toEqual(gatewayRefund);
    expect(h.gateway.sandbox.refundsFor(paymentId).map((r) => r.amount)).toEqual([250]);
    expect((await h.ledgerReader.getWallet(walletId))?.available).toBe(1000);
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.entries.map((e) => e.DetailType)).toEqual(['RefundSucceeded']);
    expect((await refunds.get(paymentId, refund.refundId))?.status).toBe('SUCCEEDED');
    const record = await payments.get(paymentId);
    expect(record && refundableOf(record)).toBe(0);
  }, 120_000);

  it('ReleaseRefund gives the reservation back: the amount is refundable again', async () => {
    // Prepare
    const { paymentId } = await succeededSplitPayment();
    const refund = refundRequest(paymentId, { amount: 500 });
    const executionArn = executionArnOf(refund.refundId);
    const reserve = await invoke('reserve', { refund, executionArn });
    const error = { Error: 'CardDeclinedError', Cause: 'refused for good' };
    // Act
    const released = await invoke('release', { refund, reserve, error, executionArn });
    // Assess
    expect(released).toEqual({ released: 500 });
    const record = await payments.get(paymentId);
    expect(record && refundableOf(record)).toBe(1250);
    expect(h.gateway.sandbox.refundsFor(paymentId)).toEqual([]);
  }, 120_000);

  it('names what the ASL catches: more than refundable, a malformed state, a refund of an unknown payment', async () => {
    // Prepare
    const { paymentId } = await succeededSplitPayment();
    const tooMuch = refundRequest(paymentId, { amount: 1251 });
    const unknown = refundRequest(`pay_unknown_${tooMuch.refundId}`);
    // Act
    const results = await Promise.allSettled([
      invoke('reserve', { refund: tooMuch, executionArn: executionArnOf(tooMuch.refundId) }),
      invoke('reserve', { refund: { refundId: tooMuch.refundId }, executionArn: 'x' }),
      invoke('reserve', { refund: unknown, executionArn: executionArnOf(unknown.refundId) }),
    ]);
    // Assess
    const names = results.map((r) => (r.status === 'rejected' ? (r.reason as Error).name : 'fulfilled'));
    expect(names).toEqual([
      'RefundExceedsRefundableError',
      'InvalidPaymentError',
      'PaymentNotRefundableError',
    ]);
    const [exceeds] = results;
    expect(exceeds.status === 'rejected' && (exceeds.reason as Error).message).toMatch(
      /1250 is still refundable/,
    );
  }, 120_000);
});
