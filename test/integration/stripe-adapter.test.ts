import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentGateway } from '../../core/gateway/port';
import { createStripeGateway } from '../../core/gateway/stripe-adapter';
import { money } from '../../core/money';
import { type StartedSandbox, startSandbox } from '../helpers/sandbox';

/** Short timeouts so ambiguous cases take well under a second; the SDK's own retry delay is 0.5 s. */
const CLIENT = { timeoutMs: 400, maxNetworkRetries: 1 } as const;

let started: StartedSandbox;
let gateway: PaymentGateway;

const newPaymentId = () => `pay-${randomUUID()}`;
const eur = (value: number) => money(value, 'EUR');

async function failureOf(promise: Promise<unknown>): Promise<Error & { reasonCode?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { reasonCode?: string };
  }
  throw new Error('expected the call to fail');
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

beforeAll(async () => {
  started = await startSandbox();
  gateway = createStripeGateway({ apiKey: started.apiKey, apiBase: started.url, ...CLIENT });
});

afterAll(async () => {
  await started.stop();
});

describe('Class: StripeGateway (through the stripe SDK, against the sandbox)', () => {
  describe('Method: charge', () => {
    it('charges an approving card once, with the paymentId in the metadata', async () => {
      // Prepare
      const paymentId = newPaymentId();

      // Act
      const result = await gateway.charge({
        paymentId,
        amount: eur(1250),
        paymentMethod: 'pm_card_visa',
        description: 'order 1',
        metadata: { order: 'o-1', paymentId: 'spoofed' },
      });

      // Assess
      expect(result).toMatchObject({ amount: eur(1250), currency: 'EUR', status: 'succeeded' });
      expect(result.chargeId).toMatch(/^pi_/);
      expect(Date.parse(result.created)).not.toBeNaN();
      const charges = started.sandbox.chargesFor(paymentId);
      expect(charges).toHaveLength(1);
      expect(charges[0]).toMatchObject({ id: result.chargeId, amount: 1250, currency: 'EUR' });
    });

    it('sends zero-decimal currencies in their minor units unchanged', async () => {
      // Prepare
      const paymentId = newPaymentId();

      // Act
      const result = await gateway.charge({
        paymentId,
        amount: money(500, 'JPY'),
        paymentMethod: 'pm_card_visa',
      });

      // Assess
      expect(result.amount).toEqual(money(500, 'JPY'));
      expect(started.sandbox.chargesFor(paymentId)[0]).toMatchObject({ amount: 500, currency: 'JPY' });
    });

    it("sends ISK in Stripe's two-decimal units (5,000 ISK as 500000) and reads charges, refunds and lists back in ledger units", async () => {
      // Prepare
      const paymentId = newPaymentId();
      const from = new Date(Date.now() - 5000);

      // Act
      const charge = await gateway.charge({
        paymentId,
        amount: money(5000, 'ISK'),
        paymentMethod: 'pm_card_visa',
      });
      const refund = await gateway.refund({
        paymentId,
        chargeId: charge.chargeId,
        amount: money(1200, 'ISK'),
      });
      const found = await gateway.findChargeByPaymentId(paymentId);
      const listed = await collect(gateway.listCharges({ from, to: new Date(Date.now() + 5000) }));
      const refunds = await collect(gateway.listRefunds({ from, to: new Date(Date.now() + 5000) }));

      // Assess
      expect(started.sandbox.chargesFor(paymentId)[0]).toMatchObject({
        amount: 500_000,
        currency: 'ISK',
        refunded: 120_000,
      });
      expect(charge.amount).toEqual(money(5000, 'ISK'));
      expect(refund.amount).toEqual(money(1200, 'ISK'));
      expect(found?.amount).toEqual(money(5000, 'ISK'));
      expect(listed.find((c) => c.chargeId === charge.chargeId)?.amount).toEqual(money(5000, 'ISK'));
      expect(refunds.find((r) => r.refundId === refund.refundId)?.amount).toEqual(money(1200, 'ISK'));
    });

    it('refuses an amount Stripe cannot take (KWD 5.124) before any request, as InvalidPaymentError', async () => {
      // Prepare
      const paymentId = newPaymentId();

      // Act
      const error = await failureOf(
        gateway.charge({ paymentId, amount: money(5124, 'KWD'), paymentMethod: 'pm_card_visa' }),
      );

      // Assess
      expect(error.name).toBe('InvalidPaymentError');
      expect(error.message).toMatch(/last digit 0/);
      expect(started.sandbox.requests().filter((r) => r.idempotencyKey === paymentId)).toHaveLength(0);
    });

    it('returns the same charge when called again with the same paymentId (replayed, not recharged)', async () => {
      // Prepare
      const paymentId = newPaymentId();
      const request = { paymentId, amount: eur(700), paymentMethod: 'pm_card_visa' };
      const first = await gateway.charge(request);

      // Act
      const second = await gateway.charge(request);

      // Assess
      expect(second).toEqual(first);
      expect(started.sandbox.chargesFor(paymentId)).toHaveLength(1);
      const replays = started.sandbox.requests().filter((r) => r.idempotencyKey === paymentId && r.replayed);
      expect(replays).toHaveLength(1);
    });

    it.each([
      ['pm_card_chargeDeclined', 'card_declined'],
      ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ])('turns a decline of %s into CardDeclinedError with reason %s', async (paymentMethod, reasonCode) => {
      // Prepare
      const paymentId = newPaymentId();

      // Act
      const error = await failureOf(gateway.charge({ paymentId, amount: eur(100), paymentMethod }));

      // Assess
      expect(error.name).toBe('CardDeclinedError');
      expect(error.reasonCode).toBe(reasonCode);
      expect(started.sandbox.chargesFor(paymentId)).toEqual([]);
    });

    it('turns an unknown payment method into InvalidPaymentError', async () => {
      // Prepare
      const paymentId = newPaymentId();

      // Act
      const error = await failureOf(
        gateway.charge({ paymentId, amount: eur(100), paymentMethod: 'pm_no_such' }),
      );

      // Assess
      expect(error.name).toBe('InvalidPaymentError');
      expect(error.message).toContain('No such PaymentMethod');
    });

    it('turns a gateway that keeps answering 503 into GatewayUnavailableError, after the SDK retried with the same key', async () => {
      // Prepare
      const paymentId = newPaymentId();

      // Act
      const error = await failureOf(
        gateway.charge({ paymentId, amount: eur(100), paymentMethod: 'pm_sandbox_unavailable' }),
      );

      // Assess
      expect(error.name).toBe('GatewayUnavailableError');
      const attempts = started.sandbox.requests().filter((r) => r.idempotencyKey === paymentId);
      expect(attempts.map((r) => r.outcome)).toEqual([503, 503]);
      expect(started.sandbox.chargesFor(paymentId)).toEqual([]);
    });

    it('charges once when n attempts get 503 and the saga retries with the same key', async () => {
      // Prepare: 3 failing attempts = the SDK's 2 attempts of the first call + 1 of the saga's retry.
      const paymentId = newPaymentId();
      const request = { paymentId, amount: eur(990), paymentMethod: 'pm_sandbox_unavailable_3' };
      const firstCall = await failureOf(gateway.charge(request));

      // Act
      const result = await gateway.charge(request);

      // Assess
      expect(firstCall.name).toBe('GatewayUnavailableError');
      expect(result.status).toBe('succeeded');
      expect(started.sandbox.chargesFor(paymentId).map((c) => c.id)).toEqual([result.chargeId]);
      const attempts = started.sandbox.requests().filter((r) => r.idempotencyKey === paymentId);
      expect(attempts.map((r) => r.outcome)).toEqual([503, 503, 503, 200]);
    });

    it('turns 409 "another request with this key is in progress" into a retryable GatewayTimeoutError; the retry gets the one charge', async () => {
      // Prepare: an earlier request with the same key is still running (it charges); 3 attempts see 409,
      // two of them inside the first call (the SDK retries a 409 once itself).
      const paymentId = newPaymentId();
      const request = { paymentId, amount: eur(700), paymentMethod: 'pm_sandbox_inprogress_3' };

      // Act
      const first = await failureOf(gateway.charge(request));
      const result = await gateway.charge(request);

      // Assess
      expect(first.name).toBe('GatewayTimeoutError');
      expect(first.message).toContain('in progress');
      expect(started.sandbox.chargesFor(paymentId).map((c) => c.id)).toEqual([result.chargeId]);
      const attempts = started.sandbox.requests().filter((r) => r.idempotencyKey === paymentId);
      expect(attempts.map((r) => r.outcome)).toEqual([409, 409, 409, 200]);
    });

    it('keeps a key reused with other parameters final (InvalidPaymentError) after an in-progress answer', async () => {
      // Prepare: one 409, then the SDK's retry replays the first request's charge
      const paymentId = newPaymentId();
      await gateway.charge({ paymentId, amount: eur(700), paymentMethod: 'pm_sandbox_inprogress_1' });

      // Act
      const error = await failureOf(
        gateway.charge({ paymentId, amount: eur(701), paymentMethod: 'pm_sandbox_inprogress_1' }),
      );

      // Assess
      expect(error.name).toBe('InvalidPaymentError');
      expect(started.sandbox.chargesFor(paymentId)).toHaveLength(1);
    });

    it('reports a decline whose charges nevertheless stand as CardDeclinedError; the charges are findable', async () => {
      // Prepare
      const paymentId = newPaymentId();

      // Act
      const error = await failureOf(
        gateway.charge({ paymentId, amount: eur(900), paymentMethod: 'pm_sandbox_declinecharged' }),
      );
      const found = await gateway.findChargeByPaymentId(paymentId);

      // Assess
      expect(error.name).toBe('CardDeclinedError');
      expect(found).toMatchObject({ amount: eur(900), status: 'succeeded' });
      expect(started.sandbox.chargesFor(paymentId).map((c) => c.id)).toEqual([found?.chargeId]);
    });

    it('turns 429 into ThrottlingError', async () => {
      // Prepare
      const paymentId = newPaymentId();

      // Act
      const error = await failureOf(
        gateway.charge({ paymentId, amount: eur(100), paymentMethod: 'pm_sandbox_ratelimited_1' }),
      );

      // Assess
      expect(error.name).toBe('ThrottlingError');
    });

    it('surfaces an ambiguous timeout as GatewayTimeoutError; the retry with the same key finds the one charge', async () => {
      // Prepare: the sandbox charges, then withholds the answer on both SDK attempts.
      const paymentId = newPaymentId();
      const request = { paymentId, amount: eur(4200), paymentMethod: 'pm_sandbox_timeout_2' };
      const firstCall = await failureOf(gateway.charge(request));

      // Act
      const result = await gateway.charge(request);

      // Assess
      expect(firstCall.name).toBe('GatewayTimeoutError');
      expect(firstCall.message).toContain('same idempotency key');
      const charges = started.sandbox.chargesFor(paymentId);
      expect(charges.map((c) => c.id)).toEqual([result.chargeId]);
      const attempts = started.sandbox.requests().filter((r) => r.idempotencyKey === paymentId);
      expect(attempts.map((r) => [r.outcome, r.replayed])).toEqual([
        ['withheld', false],
        ['withheld', true],
        [200, true],
      ]);
    });

    it('surfaces a dropped response as GatewayTimeoutError and never charges twice', async () => {
      // Prepare
      const paymentId = newPaymentId();
      const request = { paymentId, amount: eur(1500), paymentMethod: 'pm_sandbox_dropresponse_2' };
      const firstCall = await failureOf(gateway.charge(request));

      // Act
      const result = await gateway.charge(request);

      // Assess
      expect(firstCall.name).toBe('GatewayTimeoutError');
      expect(started.sandbox.chargesFor(paymentId).map((c) => c.id)).toEqual([result.chargeId]);
    });

    it('absorbs a single dropped response inside the SDK retry', async () => {
      // Prepare
      const paymentId = newPaymentId();

      // Act
      const result = await gateway.charge({
        paymentId,
        amount: eur(300),
        paymentMethod: 'pm_sandbox_dropresponse_1',
      });

      // Assess
      expect(started.sandbox.chargesFor(paymentId).map((c) => c.id)).toEqual([result.chargeId]);
    });

    it('refuses the same paymentId with a different amount, and keeps the first charge alone', async () => {
      // Prepare
      const paymentId = newPaymentId();
      await gateway.charge({ paymentId, amount: eur(100), paymentMethod: 'pm_card_visa' });

      // Act
      const error = await failureOf(
        gateway.charge({ paymentId, amount: eur(101), paymentMethod: 'pm_card_visa' }),
      );

      // Assess
      expect(error.name).toBe('InvalidPaymentError');
      expect(error.message).toContain('different parameters');
      expect(started.sandbox.chargesFor(paymentId).map((c) => c.amount)).toEqual([100]);
    });

    it('reports a gateway that is down, and charges once it is back', async () => {
      // Prepare
      const paymentId = newPaymentId();
      const request = { paymentId, amount: eur(250), paymentMethod: 'pm_card_visa' };
      const down = await startSandbox();
      const downGateway = createStripeGateway({ apiKey: down.apiKey, apiBase: down.url, ...CLIENT });
      down.sandbox.setDown(true);

      try {
        // Act
        const whileDown = await failureOf(downGateway.charge(request));
        down.sandbox.setDown(false);
        const result = await downGateway.charge(request);

        // Assess
        expect(whileDown.name).toBe('GatewayUnavailableError');
        expect(down.sandbox.chargesFor(paymentId).map((c) => c.id)).toEqual([result.chargeId]);
      } finally {
        await down.stop();
      }
    });

    it('reports a refused connection as GatewayUnavailableError', async () => {
      // Prepare
      const gone = await startSandbox();
      await gone.stop();
      const goneGateway = createStripeGateway({ apiKey: gone.apiKey, apiBase: gone.url, ...CLIENT });

      // Act
      const error = await failureOf(
        goneGateway.charge({ paymentId: newPaymentId(), amount: eur(100), paymentMethod: 'pm_card_visa' }),
      );

      // Assess
      expect(error.name).toBe('GatewayUnavailableError');
      expect(error.message).toContain('ECONNREFUSED');
    });

    it('reports a rejected API key without repeating any part of it', async () => {
      // Prepare
      const wrongKey = `sk_test_wrong${randomUUID().replaceAll('-', '')}`;
      const wrong = createStripeGateway({ apiKey: wrongKey, apiBase: started.url, ...CLIENT });

      // Act
      const error = await failureOf(
        wrong.charge({ paymentId: newPaymentId(), amount: eur(100), paymentMethod: 'pm_card_visa' }),
      );

      // Assess
      expect(error.name).toBe('GatewayUnavailableError');
      expect(error.message).toContain('rejected the API key');
      expect(error.message).not.toContain(wrongKey.slice(-4));
      expect(error.message).not.toContain('sk_test');
    });
  });

  describe('Method: charge (a processing payment)', () => {
    it('never answers a charge still processing as charged: retryable until the intent has succeeded', async () => {
      // Prepare: the intent answers processing to the charge and to one read, then succeeds
      const paymentId = newPaymentId();
      const request = { paymentId, amount: eur(700), paymentMethod: 'pm_sandbox_processing_1' };

      // Act
      const first = await failureOf(gateway.charge(request));
      const second = await gateway.charge(request);

      // Assess
      expect(first.name).toBe('GatewayTimeoutError');
      expect(first.message).toMatch(/still processing/);
      expect(second).toMatchObject({ amount: eur(700), status: 'succeeded' });
      expect(started.sandbox.chargesFor(paymentId).map((c) => c.id)).toEqual([second.chargeId]);
    });
  });

  describe('Method: refund', () => {
    it('refunds once per paymentId, replaying the same refund when retried', async () => {
      // Prepare
      const paymentId = newPaymentId();
      const charge = await gateway.charge({ paymentId, amount: eur(800), paymentMethod: 'pm_card_visa' });
      const request = { paymentId, chargeId: charge.chargeId, amount: eur(800) };

      // Act
      const first = await gateway.refund(request);
      const second = await gateway.refund(request);

      // Assess
      expect(second).toEqual(first);
      expect(first).toMatchObject({ chargeId: charge.chargeId, amount: eur(800), status: 'succeeded' });
      expect(started.sandbox.refundsFor(paymentId)).toHaveLength(1);
      expect(started.sandbox.chargesFor(paymentId)[0]?.refunded).toBe(800);
      const keys = started.sandbox
        .requests()
        .filter((r) => r.path === '/v1/refunds' && r.idempotencyKey === `refund:${paymentId}`);
      expect(keys).toHaveLength(2);
    });

    it('reports a refund that already happened out of band instead of failing the compensation', async () => {
      // Prepare
      const paymentId = newPaymentId();
      const charge = await gateway.charge({ paymentId, amount: eur(600), paymentMethod: 'pm_card_visa' });
      const outOfBand = started.sandbox.injectRefund({ chargeId: charge.chargeId });

      // Act
      const result = await gateway.refund({ paymentId, chargeId: charge.chargeId, amount: eur(600) });

      // Assess
      expect(result.refundId).toBe(outOfBand.id);
      expect(started.sandbox.refundsFor(paymentId)).toHaveLength(1);
    });

    it('keeps failing with GatewayUnavailableError for a charge whose refunds always fail', async () => {
      // Prepare
      const paymentId = newPaymentId();
      const charge = await gateway.charge({
        paymentId,
        amount: eur(100),
        paymentMethod: 'pm_sandbox_refundfail',
      });

      // Act
      const first = await failureOf(
        gateway.refund({ paymentId, chargeId: charge.chargeId, amount: eur(100) }),
      );
      const again = await failureOf(
        gateway.refund({ paymentId, chargeId: charge.chargeId, amount: eur(100) }),
      );

      // Assess
      expect([first.name, again.name]).toEqual(['GatewayUnavailableError', 'GatewayUnavailableError']);
      expect(started.sandbox.refundsFor(paymentId)).toEqual([]);
    });

    it('refuses to refund more than was charged', async () => {
      // Prepare
      const paymentId = newPaymentId();
      const charge = await gateway.charge({ paymentId, amount: eur(100), paymentMethod: 'pm_card_visa' });

      // Act
      const error = await failureOf(
        gateway.refund({ paymentId, chargeId: charge.chargeId, amount: eur(101) }),
      );

      // Assess
      expect(error.name).toBe('InvalidPaymentError');
      expect(started.sandbox.refundsFor(paymentId)).toEqual([]);
    });
  });

  describe('Method: findChargeByPaymentId', () => {
    it('finds a charge made moments ago through the list (createdSince), which the lagging search does not show yet', async () => {
      // Prepare: a gateway whose search lags writes by a minute, as Stripe's may
      const lagging = await startSandbox({ searchLagMs: 60_000 });
      const client = createStripeGateway({ apiKey: lagging.apiKey, apiBase: lagging.url, ...CLIENT });
      const paymentId = newPaymentId();
      const attemptedAt = new Date();
      await failureOf(
        client.charge({ paymentId, amount: eur(900), paymentMethod: 'pm_sandbox_declinecharged' }),
      );

      // Act
      const searched = await client.findChargeByPaymentId(paymentId);
      const listed = await client.findChargeByPaymentId(paymentId, {
        createdSince: new Date(attemptedAt.getTime() - 5 * 60_000),
      });
      await lagging.stop();

      // Assess
      expect(searched).toBeUndefined();
      expect(listed).toMatchObject({ amount: eur(900), status: 'succeeded' });
      expect(lagging.sandbox.chargesFor(paymentId).map((c) => c.id)).toEqual([listed?.chargeId]);
    });

    it('lists only the bounded window (createdUntil) and caps its pages with a retryable error', async () => {
      // Prepare: a busy gateway whose search lags: 350 unrelated intents inside the window, 500 after its end
      const busy = await startSandbox({ searchLagMs: 60_000 });
      const client = createStripeGateway({ apiKey: busy.apiKey, apiBase: busy.url, ...CLIENT });
      const capped = createStripeGateway({
        apiKey: busy.apiKey,
        apiBase: busy.url,
        ...CLIENT,
        maxLookupPages: 2,
      });
      const attemptedAt = new Date();
      const at = (offsetMs: number) => Math.floor((attemptedAt.getTime() + offsetMs) / 1000);
      for (let n = 0; n < 350; n++)
        busy.sandbox.injectCharge({ amount: 100, currency: 'EUR', created: at(-60_000) });
      for (let n = 0; n < 500; n++)
        busy.sandbox.injectCharge({ amount: 100, currency: 'EUR', created: at(20 * 60_000) });
      const paymentId = newPaymentId();
      await failureOf(
        client.charge({ paymentId, amount: eur(900), paymentMethod: 'pm_sandbox_declinecharged' }),
      );
      const window = {
        createdSince: new Date(attemptedAt.getTime() - 5 * 60_000),
        createdUntil: new Date(attemptedAt.getTime() + 6 * 60_000),
      };
      const listRequests = () =>
        busy.sandbox.requests().filter((r) => r.method === 'GET' && r.path === '/v1/payment_intents');
      const before = listRequests().length;

      // Act
      const found = await client.findChargeByPaymentId(paymentId, window);
      const pagesRead = listRequests().length - before;
      const tooLarge = await failureOf(capped.findChargeByPaymentId(paymentId, window));
      await busy.stop();

      // Assess: 351 intents in the window are 4 pages; the 500 after it are never paged through
      expect(found).toMatchObject({ amount: eur(900), status: 'succeeded' });
      expect(pagesRead).toBe(4);
      expect(tooLarge.name).toBe('GatewayUnavailableError');
      expect(tooLarge.message).toMatch(/more than 200 charges/);
    });

    it('finds the charge of a payment, and nothing for a declined or unknown one', async () => {
      // Prepare
      const charged = newPaymentId();
      const declined = newPaymentId();
      const charge = await gateway.charge({
        paymentId: charged,
        amount: eur(100),
        paymentMethod: 'pm_card_visa',
      });
      await failureOf(
        gateway.charge({ paymentId: declined, amount: eur(100), paymentMethod: 'pm_card_chargeDeclined' }),
      );

      // Act
      const found = await gateway.findChargeByPaymentId(charged);
      const notCharged = await gateway.findChargeByPaymentId(declined);
      const unknown = await gateway.findChargeByPaymentId(newPaymentId());

      // Assess
      expect(found).toEqual(charge);
      expect(notCharged).toBeUndefined();
      expect(unknown).toBeUndefined();
    });

    it('raises LedgerInvariantError when the gateway holds two charges for one payment', async () => {
      // Prepare
      const paymentId = newPaymentId();
      await gateway.charge({ paymentId, amount: eur(100), paymentMethod: 'pm_card_visa' });
      started.sandbox.injectCharge({ paymentId, amount: 100, currency: 'EUR' });

      // Act
      const error = await failureOf(gateway.findChargeByPaymentId(paymentId));

      // Assess
      expect(error.name).toBe('LedgerInvariantError');
    });
  });

  describe('Methods: listCharges, listRefunds', () => {
    it('pages through every charge and refund of a period, and nothing outside it', async () => {
      // Prepare: a period of its own, far in the past, so other tests' charges stay out of it.
      const own = await startSandbox();
      const ownGateway = createStripeGateway({ apiKey: own.apiKey, apiBase: own.url, ...CLIENT });
      const from = Date.parse('2024-03-01T00:00:00Z') / 1000;
      const count = 230;
      try {
        const injected = Array.from({ length: count }, (_, i) =>
          own.sandbox.injectCharge({
            paymentId: `list-${i}`,
            amount: 100 + i,
            currency: 'EUR',
            created: from + i,
          }),
        );
        own.sandbox.injectCharge({ paymentId: 'before', amount: 1, currency: 'EUR', created: from - 1 });
        own.sandbox.injectCharge({ paymentId: 'after', amount: 1, currency: 'EUR', created: from + count });
        for (const charge of injected.slice(0, 3)) {
          own.sandbox.injectRefund({ chargeId: charge.id, created: from + 500 });
        }
        const period = { from: new Date(from * 1000), to: new Date((from + count) * 1000) };

        // Act
        const charges = await collect(ownGateway.listCharges(period));
        const refunds = await collect(
          ownGateway.listRefunds({ from: period.from, to: new Date((from + 501) * 1000) }),
        );

        // Assess
        expect(charges).toHaveLength(count);
        expect(new Set(charges.map((c) => c.paymentId))).toEqual(new Set(injected.map((c) => c.paymentId)));
        expect(charges[0]?.paymentId).toBe(`list-${count - 1}`);
        const pages = own.sandbox.requests().filter((r) => r.path === '/v1/payment_intents');
        expect(pages).toHaveLength(3);
        expect(refunds.map((r) => r.chargeId).sort()).toEqual(
          injected
            .slice(0, 3)
            .map((c) => c.id)
            .sort(),
        );
        expect(refunds[0]).toMatchObject({ paymentId: expect.stringMatching(/^list-/), status: 'succeeded' });
      } finally {
        await own.stop();
      }
    });
  });
});
