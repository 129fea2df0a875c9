import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxAdminClient, SandboxAdminError } from '../../local/sandbox-gateway/admin-client';
import { type StartedSandbox, startSandbox } from '../helpers/sandbox';

let started: StartedSandbox;
let tmp: string;

interface Call {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown> & { error?: Record<string, unknown> };
}

async function stripeCall(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  options: { apiKey?: string; idempotencyKey?: string; form?: Record<string, string> } = {},
): Promise<Call> {
  const form = new URLSearchParams(options.form ?? {}).toString();
  const response = await fetch(`${base}${path}${method === 'GET' && form ? `?${form}` : ''}`, {
    method,
    headers: {
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
      'stripe-version': '2026-10-28.endive',
      'content-type': 'application/x-www-form-urlencoded',
    },
    ...(method === 'POST' ? { body: form } : {}),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Call['body'],
  };
}

const intentForm = (paymentId: string, amount = '1000', paymentMethod = 'pm_card_visa') => ({
  amount,
  currency: 'eur',
  payment_method: paymentMethod,
  confirm: 'true',
  'metadata[paymentId]': paymentId,
});

const newPaymentId = () => `pay-${randomUUID()}`;

beforeAll(async () => {
  started = await startSandbox();
  tmp = mkdtempSync(join(tmpdir(), 'paysaga-sandbox-'));
});

afterAll(async () => {
  await started.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('Class: SandboxGateway', () => {
  describe('Stripe API subset', () => {
    it.each([
      ['kwd', '5124', 'amount_last_digit_not_zero'],
      ['isk', '5050', 'invalid_charge_amount_no_decimal_compatible'],
      ['isk', '100000000', 'amount_too_large'],
      ['eur', '49', 'amount_too_small'],
      ['jpy', '49', 'amount_too_small'],
    ])(
      "refuses what Stripe's currency rules refuse: %s %s -> 400 %s, nothing charged",
      async (currency, amount, code) => {
        // Prepare
        const paymentId = newPaymentId();
        const form = { ...intentForm(paymentId, amount), currency };

        // Act
        const call = await stripeCall(started.url, 'POST', '/v1/payment_intents', {
          apiKey: started.apiKey,
          idempotencyKey: paymentId,
          form,
        });

        // Assess
        expect(call.status).toBe(400);
        expect(call.body.error).toMatchObject({ type: 'invalid_request_error', code, param: 'amount' });
        expect(started.sandbox.chargesFor(paymentId)).toHaveLength(0);
      },
    );

    it('answers like Stripe and replays the stored response for a repeated key', async () => {
      // Prepare
      const paymentId = newPaymentId();
      const request = { apiKey: started.apiKey, idempotencyKey: paymentId, form: intentForm(paymentId) };
      const first = await stripeCall(started.url, 'POST', '/v1/payment_intents', request);

      // Act
      const again = await stripeCall(started.url, 'POST', '/v1/payment_intents', request);

      // Assess
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        object: 'payment_intent',
        status: 'succeeded',
        amount: 1000,
        currency: 'eur',
      });
      expect(first.headers.get('request-id')).toMatch(/^req_/);
      expect(first.headers.get('stripe-version')).toBe('2026-10-28.endive');
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(started.sandbox.chargesFor(paymentId)).toHaveLength(1);
    });

    it('refuses a repeated key with other parameters with a 400 idempotency_error', async () => {
      // Prepare
      const paymentId = newPaymentId();
      await stripeCall(started.url, 'POST', '/v1/payment_intents', {
        apiKey: started.apiKey,
        idempotencyKey: paymentId,
        form: intentForm(paymentId, '1000'),
      });

      // Act
      const other = await stripeCall(started.url, 'POST', '/v1/payment_intents', {
        apiKey: started.apiKey,
        idempotencyKey: paymentId,
        form: intentForm(paymentId, '2000'),
      });

      // Assess
      expect(other.status).toBe(400);
      expect(other.body.error).toMatchObject({ type: 'idempotency_error' });
      expect(started.sandbox.chargesFor(paymentId)).toHaveLength(1);
    });

    it('scopes idempotency keys per API key', async () => {
      // Prepare
      const two = await startSandbox({ apiKeys: ['sk_test_accounta', 'sk_test_accountb'] });
      const paymentId = newPaymentId();
      try {
        // Act
        const a = await stripeCall(two.url, 'POST', '/v1/payment_intents', {
          apiKey: 'sk_test_accounta',
          idempotencyKey: paymentId,
          form: intentForm(paymentId),
        });
        const b = await stripeCall(two.url, 'POST', '/v1/payment_intents', {
          apiKey: 'sk_test_accountb',
          idempotencyKey: paymentId,
          form: intentForm(paymentId),
        });

        // Assess
        expect([a.status, b.status]).toEqual([200, 200]);
        expect(a.body.id).not.toBe(b.body.id);
        expect(b.headers.get('idempotent-replayed')).toBeNull();
        expect(two.sandbox.chargesFor(paymentId)).toHaveLength(2);
      } finally {
        await two.stop();
      }
    });

    it('answers 409 to a second request with a key whose first request is still running', async () => {
      // Prepare
      const paymentId = newPaymentId();
      const request = {
        apiKey: started.apiKey,
        idempotencyKey: paymentId,
        form: intentForm(paymentId, '1000', 'pm_sandbox_slow_300ms'),
      };
      const first = stripeCall(started.url, 'POST', '/v1/payment_intents', request);
      await expect
        .poll(() => started.sandbox.store.idempotency.begin('probe', 'probe', 'x').kind)
        .toBe('new');

      // Act
      const concurrent = await stripeCall(started.url, 'POST', '/v1/payment_intents', request);

      // Assess
      expect(concurrent.status).toBe(409);
      expect(concurrent.body.error).toMatchObject({ type: 'idempotency_error' });
      expect((await first).status).toBe(200);
      expect(started.sandbox.chargesFor(paymentId)).toHaveLength(1);
    });

    it.each([
      ['no key', undefined],
      ['an unknown key', 'sk_test_notthisone'],
      ['a live key', 'sk_live_neveraccepted'],
    ])('answers 401 to %s without echoing it whole', async (_what, apiKey) => {
      // Prepare
      const paymentId = newPaymentId();

      // Act
      const call = await stripeCall(started.url, 'POST', '/v1/payment_intents', {
        ...(apiKey ? { apiKey } : {}),
        idempotencyKey: paymentId,
        form: intentForm(paymentId),
      });

      // Assess
      expect(call.status).toBe(401);
      if (apiKey) expect(JSON.stringify(call.body)).not.toContain(apiKey);
      expect(started.sandbox.chargesFor(paymentId)).toEqual([]);
    });

    it('lists newest first in pages, within created bounds', async () => {
      // Prepare
      const own = await startSandbox();
      const base = 1_700_000_000;
      try {
        for (let i = 0; i < 7; i++) {
          own.sandbox.injectCharge({ paymentId: `p${i}`, amount: 100, currency: 'EUR', created: base + i });
        }
        const bounds = { 'created[gte]': String(base + 1), 'created[lte]': String(base + 5), limit: '2' };

        // Act
        const pages: Call[] = [];
        let startingAfter: string | undefined;
        do {
          const page = await stripeCall(own.url, 'GET', '/v1/payment_intents', {
            apiKey: own.apiKey,
            form: { ...bounds, ...(startingAfter ? { starting_after: startingAfter } : {}) },
          });
          pages.push(page);
          const data = page.body.data as Array<{ id: string }>;
          startingAfter = page.body.has_more ? data.at(-1)?.id : undefined;
        } while (startingAfter);

        // Assess
        const seen = pages.flatMap((page) =>
          (page.body.data as Array<{ metadata: { paymentId: string } }>).map((d) => d.metadata.paymentId),
        );
        expect(seen).toEqual(['p5', 'p4', 'p3', 'p2', 'p1']);
        expect(pages.map((page) => page.body.has_more)).toEqual([true, true, false]);
      } finally {
        await own.stop();
      }
    });

    it('refuses a malformed created bound', async () => {
      // Prepare / Act
      const call = await stripeCall(started.url, 'GET', '/v1/payment_intents', {
        apiKey: started.apiKey,
        form: { 'created[gte]': 'yesterday' },
      });

      // Assess
      expect(call.status).toBe(400);
      expect(call.body.error).toMatchObject({ type: 'invalid_request_error', param: 'created[gte]' });
    });
  });

  describe('Admin routes', () => {
    it('lets another process take the gateway down, inject charges and refunds, and read them', async () => {
      // Prepare
      const admin = new SandboxAdminClient(started.url);
      const paymentId = newPaymentId();

      // Act
      await admin.setDown(true);
      const whileDown = await stripeCall(started.url, 'POST', '/v1/payment_intents', {
        apiKey: started.apiKey,
        idempotencyKey: paymentId,
        form: intentForm(paymentId),
      });
      await admin.setDown(false);
      const charge = await admin.injectCharge({ paymentId, amount: 4000, currency: 'eur' });
      const refund = await admin.injectRefund({ chargeId: charge.id, amount: 1500 });
      const charges = await admin.listCharges(paymentId);
      const refunds = await admin.listRefunds(paymentId);

      // Assess
      expect(whileDown.status).toBe(503);
      expect((await admin.health()).down).toBe(false);
      expect(charges).toEqual([{ ...charge, refunded: 1500 }]);
      expect(refunds).toEqual([refund]);
      expect(refund).toMatchObject({ chargeId: charge.id, paymentId, amount: 1500, currency: 'EUR' });
      expect((await admin.requests()).some((r) => r.idempotencyKey === paymentId && r.outcome === 503)).toBe(
        true,
      );
      expect((await admin.paymentMethods()).map((m) => m.paymentMethod)).toContain('pm_sandbox_refundfail');
    });

    it('says what was wrong with a bad injection', async () => {
      // Prepare
      const admin = new SandboxAdminClient(started.url);

      // Act
      const error = await admin.injectCharge({ amount: -5, currency: 'EUR' }).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(SandboxAdminError);
      expect((error as Error).message).toMatch(/400.*amount/s);
    });
  });

  describe('Durability', () => {
    it('reloads charges, refunds, idempotency records and fault schedules from its journal', async () => {
      // Prepare
      const dataFile = join(tmp, `journal-${randomUUID()}.jsonl`);
      const paymentId = newPaymentId();
      const flaky = newPaymentId();
      const before = await startSandbox({ dataFile });
      const request = { apiKey: before.apiKey, idempotencyKey: paymentId, form: intentForm(paymentId) };
      const charged = await stripeCall(before.url, 'POST', '/v1/payment_intents', request);
      const flakyRequest = {
        apiKey: before.apiKey,
        idempotencyKey: flaky,
        form: intentForm(flaky, '500', 'pm_sandbox_unavailable_1'),
      };
      const flakyFirst = await stripeCall(before.url, 'POST', '/v1/payment_intents', flakyRequest);
      before.sandbox.injectRefund({ chargeId: String(charged.body.id), amount: 100 });
      await before.stop();
      appendFileSync(dataFile, '{"t":"intent","intent":{"id":"pi_torn'); // a crash mid-write

      // Act
      const after = await startSandbox({ dataFile, apiKeys: [before.apiKey] });
      try {
        const replay = await stripeCall(after.url, 'POST', '/v1/payment_intents', request);
        const flakySecond = await stripeCall(after.url, 'POST', '/v1/payment_intents', flakyRequest);

        // Assess
        expect(after.sandbox.chargesFor(paymentId)).toMatchObject([{ id: charged.body.id, refunded: 100 }]);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.body.id).toBe(charged.body.id);
        expect([flakyFirst.status, flakySecond.status]).toEqual([503, 200]);
      } finally {
        await after.stop();
      }
      const third = await startSandbox({ dataFile, apiKeys: [before.apiKey] });
      await third.stop();
      expect(third.sandbox.chargesFor(flaky)).toHaveLength(1);
    });
  });
});
