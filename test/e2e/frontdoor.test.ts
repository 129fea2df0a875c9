import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API, SAGA_STATES } from '../../core/config/names';
import type { AcceptedResponse, PaymentStatusResponse, Problem } from '../../core/frontdoor/contract';
import { Ledger } from '../../core/ledger';
import { DETAIL_TYPES } from '../../events/envelope';
import type { BusEvent } from '../../local/events/eventbridge-service';
import { type LocalApiClient, newApiKey } from '../../local/frontdoor/api-clients';
import { fundedWallet as fundedWalletOf, paymentRequest, putPaymentRequested } from '../helpers/payments';
import { sdkClients, startTestRuntime, type TestRuntime, waitFor } from '../helpers/runtime';

// Info lines on, so the log scan below reads what the handlers really write.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';

const run = randomUUID().slice(0, 8);
const client = (name: string, overrides: Partial<LocalApiClient> = {}): LocalApiClient => ({
  clientId: `${name}-${run}`,
  source: `partner.${name}`,
  apiKey: newApiKey(),
  scopes: ['write', 'read'],
  ...overrides,
});
const acme = client('acme');
const globex = client('globex');
const auditor = client('auditor', { scopes: ['read'] });
const tiny = client('tiny', { throttle: { rateLimit: 1, burstLimit: 2 } });

let runtime: TestRuntime;
let ledger: Ledger;
let base: string;
const requested: BusEvent[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime({ frontDoor: { port: 0, clients: [acme, globex, auditor, tiny] } });
  base = runtime.frontDoor?.url ?? '';
  ledger = new Ledger({ doc: sdkClients(runtime).documents, tableName: runtime.names.tables.ledger });
  runtime.internals.events.putRule({
    name: 'capture-requests',
    eventBusName: runtime.names.eventBus,
    pattern: { 'detail-type': [DETAIL_TYPES.paymentRequested] },
    targets: [
      {
        id: 'capture',
        arn: 'local:capture',
        synchronous: true,
        deliver: async (e) => void requested.push(e),
      },
    ],
  });
});
afterAll(async () => {
  await runtime?.dispose();
});

const fundedWallet = (minor: number) => fundedWalletOf(ledger, minor);

const newPaymentId = () => `pay_${randomUUID().slice(0, 12)}`;
const body = (walletId: string, overrides: Record<string, unknown> = {}) => ({
  walletId,
  merchantId: 'mer_bookshop',
  amount: { value: 1250, currency: 'EUR', exponent: 2 },
  paymentMethod: 'pm_card_visa',
  ...overrides,
});

async function post(who: LocalApiClient | undefined, key: string | undefined, payload: unknown) {
  const response = await fetch(`${base}${API.routes.submitPayment.path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(who && { 'x-api-key': who.apiKey }),
      ...(key !== undefined && { [API.idempotencyHeader]: key }),
    },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as unknown };
}

async function get(who: LocalApiClient | undefined, path: string) {
  const response = await fetch(`${base}${path}`, { headers: who ? { 'x-api-key': who.apiKey } : {} });
  return { status: response.status, headers: response.headers, json: (await response.json()) as unknown };
}

const statusOf = (who: LocalApiClient, paymentId: string) => get(who, `/v1/payments/${paymentId}`);

async function finalStatus(who: LocalApiClient, paymentId: string): Promise<PaymentStatusResponse> {
  return waitFor(`payment ${paymentId} to end`, async () => {
    const { json } = await statusOf(who, paymentId);
    const view = json as PaymentStatusResponse;
    return ['SUCCEEDED', 'FAILED', 'NEEDS_ATTENTION'].includes(view.status) ? view : undefined;
  });
}

describe('POST /v1/payments -> saga -> GET /v1/payments/{id}', () => {
  it('accepts a request, the saga completes, and GET shows the outcome and every step', async () => {
    // Prepare
    const walletId = await fundedWallet(10_000);
    const paymentId = newPaymentId();

    // Act
    const accepted = await post(acme, paymentId, body(walletId));
    await finalStatus(acme, paymentId);
    // SUCCEEDED is recorded when the money is settled; Notify comes after it.
    const view = await waitFor('the Notify step', async () => {
      const current = (await statusOf(acme, paymentId)).json as PaymentStatusResponse;
      return current.steps.some((s) => s.step === SAGA_STATES.notify) ? current : undefined;
    });

    // Assess
    expect(accepted.status).toBe(202);
    const answer = accepted.json as AcceptedResponse;
    expect(answer).toMatchObject({ paymentId, status: 'ACCEPTED', statusUrl: `/v1/payments/${paymentId}` });
    expect(accepted.headers.get('location')).toBe(`/v1/payments/${paymentId}`);
    expect(view).toMatchObject({
      paymentId,
      status: 'SUCCEEDED',
      amount: { value: 1250, currency: 'EUR', exponent: 2 },
      walletId,
      acceptedAt: answer.acceptedAt,
    });
    expect(view.completedAt).toBeDefined();
    const succeeded = view.steps.filter((s) => s.outcome === 'succeeded').map((s) => s.step);
    expect(succeeded).toEqual(
      expect.arrayContaining([
        SAGA_STATES.reserve,
        SAGA_STATES.charge,
        SAGA_STATES.settle,
        SAGA_STATES.notify,
      ]),
    );
    const text = JSON.stringify(view);
    expect(text).not.toMatch(/arn:aws|ch_|hold|executionArn/);
    const event = requested.find((e) => (e.detail as { paymentId?: string }).paymentId === paymentId);
    expect(event?.source).toBe(acme.source);
  });

  it('shows a declined card as FAILED with its reason and the compensation that ran', async () => {
    // Prepare: wallet first, so only a wallet short of the 12.50 sends a card part to the gateway
    const walletId = await fundedWallet(1000);
    const paymentId = newPaymentId();

    // Act
    expect(
      (await post(acme, paymentId, body(walletId, { paymentMethod: 'pm_card_chargeDeclined' }))).status,
    ).toBe(202);
    const view = await finalStatus(acme, paymentId);

    // Assess
    expect(view.status).toBe('FAILED');
    expect(view.failure?.reasonCode).toBe('card_declined');
    expect(view.compensations).toContain(SAGA_STATES.releaseFunds);
    expect(view.steps.some((s) => s.step === SAGA_STATES.charge && s.outcome === 'failed')).toBe(true);
  });
});

describe('idempotency', () => {
  it('answers a repeat of the same key and body with the same 202 and publishes once', async () => {
    // Prepare
    const walletId = await fundedWallet(10_000);
    const paymentId = newPaymentId();
    const payload = body(walletId);

    // Act
    const first = await post(acme, paymentId, payload);
    const second = await post(acme, paymentId, payload);
    const third = await post(acme, paymentId, { ...payload, paymentId });
    await finalStatus(acme, paymentId);

    // Assess
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.json).toEqual(first.json);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(third.status).toBe(202);
    expect(
      requested.filter((e) => (e.detail as { paymentId?: string }).paymentId === paymentId),
    ).toHaveLength(1);
  });

  it('answers 409 when the key is reused with another body, or by another client', async () => {
    // Prepare
    const walletId = await fundedWallet(10_000);
    const paymentId = newPaymentId();
    await post(acme, paymentId, body(walletId));

    // Act
    const otherBody = await post(
      acme,
      paymentId,
      body(walletId, { amount: { value: 999, currency: 'EUR', exponent: 2 } }),
    );
    const otherClient = await post(globex, paymentId, body(walletId));

    // Assess
    expect(otherBody.status).toBe(409);
    expect((otherBody.json as Problem).type).toMatch(/idempotency_key_reused$/);
    expect(otherClient.status).toBe(409);
    expect((otherClient.json as Problem).type).toMatch(/payment_id_in_use$/);
  });
});

describe('validation', () => {
  it('answers 400 with field-level errors', async () => {
    // Prepare
    const paymentId = newPaymentId();

    // Act
    const invalid = await post(acme, paymentId, {
      merchantId: 'mer_bookshop',
      amount: { value: -5, currency: 'XXX', exponent: 2 },
      paymentMethod: 'pm_card_visa',
      colour: 'blue',
    });
    const noKey = await post(acme, undefined, body('wal_x'));
    const mismatch = await post(acme, paymentId, body('wal_x', { paymentId: 'pay_other' }));
    const notJson = await post(acme, paymentId, '{"walletId":');

    // Assess
    expect(invalid.status).toBe(400);
    const paths = (invalid.json as Problem).errors?.map((e) => e.path) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['walletId', 'amount.value', 'amount.currency']));
    expect(JSON.stringify(invalid.json)).toContain('colour');
    expect(noKey.status).toBe(400);
    expect((noKey.json as Problem).errors?.[0]?.path).toBe(`header:${API.idempotencyHeader}`);
    expect(mismatch.status).toBe(400);
    expect((mismatch.json as Problem).errors?.[0]?.path).toBe('paymentId');
    expect(notJson.status).toBe(400);
  });

  it('refuses a card number anywhere with 400, naming the field but never the number, and never logs it', async () => {
    // Prepare
    const pan = '4111 1111 1111 1111';
    const writes: string[] = [];
    const capture = (chunk: unknown) => {
      writes.push(String(chunk));
      return true;
    };
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);

    // Act
    let inDescription: Awaited<ReturnType<typeof post>>;
    let inKey: Awaited<ReturnType<typeof post>>;
    let accepted: Awaited<ReturnType<typeof post>>;
    try {
      inDescription = await post(acme, newPaymentId(), body('wal_x', { description: `card ${pan}` }));
      inKey = await post(acme, pan.replaceAll(' ', ''), body('wal_x'));
      accepted = await post(acme, newPaymentId(), body(await fundedWallet(5000)));
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }

    // Assess
    expect(inDescription.status).toBe(400);
    expect((inDescription.json as Problem).type).toMatch(/card_data_refused$/);
    expect((inDescription.json as Problem).errors?.[0]?.path).toBe('description');
    expect(inKey.status).toBe(400);
    expect(accepted.status).toBe(202);
    const logged = [...writes, ...runtime.log.lines.map((line) => JSON.stringify(line))].join('\n');
    expect(logged).toContain('request answered'); // the scan read real handler lines
    for (const text of [logged, JSON.stringify(inDescription.json), JSON.stringify(inKey.json)]) {
      expect(text.replace(/[ -]/g, '')).not.toContain('4111111111111111');
    }
  });
});

describe('authentication, authorization and throttling', () => {
  it('answers 401 without credentials and 403 with a wrong key or a missing scope', async () => {
    // Act
    const none = await post(undefined, newPaymentId(), body('wal_x'));
    const wrong = await post({ ...acme, apiKey: newApiKey() }, newPaymentId(), body('wal_x'));
    const readOnly = await post(auditor, newPaymentId(), body('wal_x'));
    const readOnlyGet = await get(auditor, API.routes.openApi.path);

    // Assess
    expect(none.status).toBe(401);
    expect(wrong.status).toBe(403);
    expect(readOnly.status).toBe(403);
    expect(readOnlyGet.status).toBe(200);
  });

  it("does not let a client read another client's payment, or one sent to the bus directly", async () => {
    // Prepare
    const walletId = await fundedWallet(10_000);
    const mine = newPaymentId();
    await post(acme, mine, body(walletId));
    const direct = newPaymentId();
    await putPaymentRequested(
      sdkClients(runtime).events,
      runtime.names.eventBus,
      paymentRequest(walletId, { paymentId: direct }),
    );

    // Act
    const own = await statusOf(acme, mine);
    const foreign = await statusOf(globex, mine);
    const directRead = await statusOf(acme, direct);
    const unknown = await statusOf(acme, newPaymentId());

    // Assess
    expect(own.status).toBe(200);
    expect(foreign.status).toBe(404);
    expect(directRead.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(foreign.json)).toBe(JSON.stringify(unknown.json));
  });

  it('answers 429 with Retry-After when a client exceeds its limit, without slowing other clients', async () => {
    // Act
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(tiny, API.routes.openApi.path)));
    const other = await get(acme, API.routes.openApi.path);

    // Assess
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(3);
    const throttled = answers.find((a) => a.status === 429);
    expect(throttled?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(other.status).toBe(200);
  });
});

describe('routes', () => {
  it('serves the committed OpenAPI document, 404 for unknown routes and 405 for wrong methods', async () => {
    // Act
    const document = await get(acme, API.routes.openApi.path);
    const unknown = await get(acme, '/v1/refunds');
    const wrongMethod = await fetch(`${base}${API.routes.submitPayment.path}`, {
      method: 'DELETE',
      headers: { 'x-api-key': acme.apiKey },
    });

    // Assess
    expect(document.status).toBe(200);
    expect(document.json).toEqual(JSON.parse(readFileSync('api/openapi.json', 'utf8')));
    expect(unknown.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
  });
});
