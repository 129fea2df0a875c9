import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentStatusResponse } from '../../core/frontdoor/contract';
import { idempotencyKeys } from '../../core/gateway/port';
import { Ledger } from '../../core/ledger';
import type {
  RefundAcceptedResponse,
  RefundProblem,
  RefundStatusResponse,
} from '../../core/refunds/contract';
import { paymentApi } from '../helpers/payments-http';
import { newRefundIdForTest, refundApi } from '../helpers/refunds-http';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';
import { apiClient, newWalletIdForTest, newWalletKey, walletApi } from '../helpers/wallets';

/**
 * Refunds over plain HTTP against the local runtime (issue 16): POST /v1/payments/{paymentId}/refunds
 * -> RefundRequested on the bus -> the refund intake -> the refund saga; GET .../refunds/{refundId}
 * and GET /v1/payments/{paymentId} show it. Each part goes back to where it came from: the sandbox
 * gateway's own refunds and the wallet's balance are the proof.
 */
/** Unthrottled: concurrent tests poll their refunds faster than the default 50 requests/s (throttling: test/e2e/frontdoor.test.ts). */
const UNTHROTTLED = { throttle: { rateLimit: 100_000, burstLimit: 100_000 } };
const acme = apiClient('acme-refunds', UNTHROTTLED);
const globex = apiClient('globex-refunds', UNTHROTTLED);
const PAN = '4242424242424242';

let runtime: TestRuntime;
let ledger: Ledger;
let wallets: ReturnType<typeof walletApi>;
let payments: ReturnType<typeof paymentApi>;
let refunds: ReturnType<typeof refundApi>;

beforeAll(async () => {
  runtime = await startTestRuntime({ frontDoor: { port: 0, clients: [acme, globex] } });
  ledger = new Ledger({ doc: sdkClients(runtime).documents, tableName: runtime.names.tables.ledger });
  const base = runtime.frontDoor?.url ?? '';
  wallets = walletApi(base);
  payments = paymentApi(base);
  refunds = refundApi(base);
}, 60_000);
afterAll(async () => {
  await runtime?.dispose();
});

const eur = (value: number) => ({ value, currency: 'EUR', exponent: 2 });

/** A wallet acme opened over HTTP holding `balance` (deposited through the ledger; 0: every payment goes to the card). */
async function walletWith(balance: number): Promise<string> {
  const walletId = newWalletIdForTest();
  const opened = await wallets.open(acme, newWalletKey(), { walletId, currency: 'EUR' });
  expect(opened.status, JSON.stringify(opened.json)).toBe(201);
  if (balance > 0) await ledger.deposit(walletId, { value: balance, currency: 'EUR' }, `dep-${walletId}`);
  return walletId;
}

/** A payment by acme that ended SUCCEEDED (wallet first, `paymentMethod` for the rest). */
async function succeeded(value: number, balance = 0, extra: Record<string, unknown> = {}): Promise<string> {
  const walletId = await walletWith(balance);
  const { paymentId, final } = await payments.pay(acme, {
    walletId,
    merchantId: 'mer_bookshop',
    amount: eur(value),
    paymentMethod: 'pm_card_visa',
    ...extra,
  });
  expect(final.status, JSON.stringify(final)).toBe('SUCCEEDED');
  return paymentId;
}

const gatewayRefundsOf = (paymentId: string) =>
  (runtime.sandbox?.refundsFor(paymentId) ?? []).map((r) => [r.amount, r.status]);
const refundCallsOf = (paymentId: string, refundId: string) =>
  (runtime.sandbox?.requests() ?? []).filter(
    (r) => r.path === '/v1/refunds' && r.idempotencyKey === idempotencyKeys.refundOf(paymentId, refundId),
  );
const availableIn = async (walletId: string) =>
  ((await wallets.get(acme, walletId)).json as { available: number }).available;
const problemOf = (answer: { json: unknown }) => answer.json as RefundProblem;

// Concurrent within a describe (each test has its own payment); the 5xx one runs alone: it takes the sandbox down.
describe.concurrent('POST /v1/payments/{paymentId}/refunds over HTTP', () => {
  it('refunds a card payment in full: 202 + Location, refunded once at the gateway, shown on both GETs', async () => {
    // Prepare
    const paymentId = await succeeded(1250);
    const refundId = newRefundIdForTest();
    // Act
    const accepted = await refunds.request(acme, paymentId, refundId, { reason: 'order cancelled' });
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(202);
    const final = await refunds.ended(acme, paymentId, refundId);
    const again = await refunds.request(acme, paymentId, refundId, { reason: 'order cancelled' });
    const payment = (await payments.status(acme, paymentId)) as PaymentStatusResponse;
    // Assess
    expect(accepted.headers.get('location')).toBe(`/v1/payments/${paymentId}/refunds/${refundId}`);
    expect(accepted.json).toMatchObject({
      refundId,
      paymentId,
      status: 'ACCEPTED',
    } satisfies Partial<RefundAcceptedResponse>);
    expect(final).toMatchObject({
      status: 'SUCCEEDED',
      amount: eur(1250),
      parts: { walletAmount: 0, gatewayAmount: 1250 },
      reason: 'order cancelled',
      gatewayRefundId: expect.stringMatching(/^re_/),
    } satisfies Partial<RefundStatusResponse>);
    expect(final.completedAt).toBeDefined();
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(gatewayRefundsOf(paymentId)).toEqual([[1250, 'succeeded']]);
    expect(payment).toMatchObject({
      refunds: [{ refundId, status: 'SUCCEEDED', amount: eur(1250) }],
      refundable: eur(0),
      refunded: eur(1250),
    });
  }, 60_000);

  it('takes two partial refunds, then answers 409 for a third that would exceed, with the amount refundable', async () => {
    // Prepare
    const paymentId = await succeeded(2000);
    // Act
    const [first, second] = await Promise.all([
      refunds.refund(acme, paymentId, { amount: eur(500), reason: 'one book missing' }),
      refunds.refund(acme, paymentId, { amount: eur(700), reason: 'one book damaged' }),
    ]);
    const third = await refunds.request(acme, paymentId, newRefundIdForTest(), {
      amount: eur(900),
      reason: 'and the rest',
    });
    const payment = await payments.status(acme, paymentId);
    // Assess
    expect([first.final.status, second.final.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(third.status).toBe(409);
    expect(problemOf(third)).toMatchObject({ refundable: eur(800) });
    expect(problemOf(third).detail).toContain('EUR 8.00');
    expect(gatewayRefundsOf(paymentId).sort()).toEqual([
      [500, 'succeeded'],
      [700, 'succeeded'],
    ]);
    expect(payment).toMatchObject({ refundable: eur(800), refunded: eur(1200) });
    expect(payment.refunds).toHaveLength(2);
  }, 60_000);

  it('refunds a wallet-only payment to the wallet, with no refund call at the gateway', async () => {
    // Prepare
    const walletId = await walletWith(1000);
    const { paymentId, final: paid } = await payments.pay(acme, {
      walletId,
      merchantId: 'mer_bookshop',
      amount: eur(400),
      paymentMethod: 'pm_card_visa',
      funding: 'wallet_only',
    });
    expect(paid.status).toBe('SUCCEEDED');
    expect(await availableIn(walletId)).toBe(600);
    // Act
    const { refundId, final } = await refunds.refund(acme, paymentId, { reason: 'returned' });
    // Assess
    expect(final).toMatchObject({ status: 'SUCCEEDED', parts: { walletAmount: 400, gatewayAmount: 0 } });
    expect(final.gatewayRefundId).toBeUndefined();
    expect(await availableIn(walletId)).toBe(1000);
    expect(gatewayRefundsOf(paymentId)).toEqual([]);
    expect(refundCallsOf(paymentId, refundId)).toEqual([]);
  }, 60_000);

  it('refunds a split payment part by part: the card part at the gateway, the wallet part to the wallet', async () => {
    // Prepare: 12.50 with 10.00 in the wallet = 10.00 from the wallet + 2.50 charged to the card
    const walletId = await walletWith(1000);
    const { paymentId, final: paid } = await payments.pay(acme, {
      walletId,
      merchantId: 'mer_bookshop',
      amount: eur(1250),
      paymentMethod: 'pm_card_visa',
    });
    expect(paid.status).toBe('SUCCEEDED');
    // Act
    const { final } = await refunds.refund(acme, paymentId, { reason: 'order cancelled' });
    // Assess
    expect(final).toMatchObject({
      status: 'SUCCEEDED',
      amount: eur(1250),
      parts: { walletAmount: 1000, gatewayAmount: 250 },
    });
    expect(gatewayRefundsOf(paymentId)).toEqual([[250, 'succeeded']]);
    expect(await availableIn(walletId)).toBe(1000);
  }, 60_000);

  it('replays a gateway refund whose answer was lost and refunds once', async () => {
    // Prepare: the sandbox makes this card's first refund, then drops the connection without answering
    const paymentId = await succeeded(1250, 0, { paymentMethod: 'pm_sandbox_refunddrop_1' });
    // Act
    const { refundId, final } = await refunds.refund(acme, paymentId, { reason: 'cancelled' });
    // Assess
    expect(final.status).toBe('SUCCEEDED');
    expect(refundCallsOf(paymentId, refundId).map((r) => r.outcome)).toContain('dropped');
    expect(gatewayRefundsOf(paymentId)).toEqual([[1250, 'succeeded']]);
  }, 60_000);
});

describe('A gateway refund that fails for a while', () => {
  it('retries a gateway refund that answers 5xx and refunds once', async () => {
    // Prepare
    const paymentId = await succeeded(1250);
    const refundId = newRefundIdForTest();
    const sandbox = runtime.sandbox;
    if (!sandbox) throw new Error('the runtime has no sandbox gateway');
    // Act
    sandbox.setDown(true);
    try {
      expect((await refunds.request(acme, paymentId, refundId, { reason: 'cancelled' })).status).toBe(202);
      // At least two 503s: the adapter's own retry and then the saga's Retry met the outage.
      await waitFor('two refund attempts answered 503', () =>
        refundCallsOf(paymentId, refundId).filter((r) => r.outcome === 503).length >= 2 ? true : undefined,
      );
    } finally {
      sandbox.setDown(false);
    }
    const final = await refunds.ended(acme, paymentId, refundId);
    // Assess
    expect(final.status).toBe('SUCCEEDED');
    expect(gatewayRefundsOf(paymentId)).toEqual([[1250, 'succeeded']]);
    expect(refundCallsOf(paymentId, refundId).at(-1)?.outcome).toBe(200);
  }, 60_000);
});

describe.concurrent('Refunds refused over HTTP', () => {
  it('answers 409 for a FAILED payment, naming its status', async () => {
    // Prepare
    const walletId = await walletWith(0);
    const { paymentId, final } = await payments.pay(acme, {
      walletId,
      merchantId: 'mer_bookshop',
      amount: eur(1250),
      paymentMethod: 'pm_card_chargeDeclined',
    });
    expect(final.status).toBe('FAILED');
    // Act
    const answer = await refunds.request(acme, paymentId, newRefundIdForTest(), { reason: 'refund it' });
    // Assess
    expect(answer.status).toBe(409);
    expect(problemOf(answer)).toMatchObject({ paymentStatus: 'FAILED' });
    expect(gatewayRefundsOf(paymentId)).toEqual([]);
  }, 60_000);

  it('answers 409 for the same Idempotency-Key with another body, and refunds only the first', async () => {
    // Prepare
    const paymentId = await succeeded(1250);
    const { refundId, final } = await refunds.refund(acme, paymentId, {
      amount: eur(300),
      reason: 'damaged',
    });
    // Act
    const reused = await refunds.request(acme, paymentId, refundId, { amount: eur(400), reason: 'damaged' });
    // Assess
    expect(final.status).toBe('SUCCEEDED');
    expect(reused.status).toBe(409);
    expect(problemOf(reused).type).toContain('idempotency_key_reused');
    expect(gatewayRefundsOf(paymentId)).toEqual([[300, 'succeeded']]);
  }, 60_000);

  it("answers 404 for another client's payment and its refunds, exactly as for an unknown payment", async () => {
    // Prepare
    const paymentId = await succeeded(1250);
    const { refundId } = await refunds.refund(acme, paymentId, { amount: eur(100), reason: 'damaged' });
    // Act
    const post = await refunds.request(globex, paymentId, newRefundIdForTest(), { reason: 'mine now' });
    const unknown = await refunds.request(globex, `pay_unknown_${refundId}`, newRefundIdForTest(), {
      reason: 'mine now',
    });
    const read = await refunds.get(globex, paymentId, refundId);
    // Assess
    expect(post.status).toBe(404);
    expect(post.json).toEqual(unknown.json);
    expect(read.status).toBe(404);
    expect(read.json).toEqual(unknown.json);
    expect(gatewayRefundsOf(paymentId)).toEqual([[100, 'succeeded']]);
  }, 60_000);

  it('answers 400 for a card number in the reason, never echoing it', async () => {
    // Prepare
    const paymentId = await succeeded(1250);
    // Act
    const answer = await refunds.request(acme, paymentId, newRefundIdForTest(), {
      reason: `charged twice on ${PAN}`,
    });
    // Assess
    expect(answer.status).toBe(400);
    expect(problemOf(answer).type).toContain('card_data_refused');
    expect(JSON.stringify(answer.json)).not.toContain(PAN);
    expect((await payments.status(acme, paymentId)).refunds).toEqual([]);
  }, 60_000);
});
