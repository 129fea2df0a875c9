import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayTimeoutError } from '../../core/errors';
import { toPaysagaError } from '../../core/gateway/stripe-errors';
import { retryAfter, retryDelayMs, StripeHttpClient } from '../../core/gateway/stripe-http';
import { type RawStripeError, StripeRequestError, stripeErrorOf } from '../../core/gateway/stripe-http-error';
import { PaymentIntent, PaymentIntentPage, STRIPE_PATHS } from '../../core/gateway/stripe-resources';
import { type StripeWire, startStripeWire, type WireAnswer } from '../helpers/stripe-wire';

const intentJson = (id: string) => ({
  id,
  amount: 100,
  currency: 'eur',
  status: 'succeeded',
  created: 1_764_900_000,
  metadata: {},
});
const errorJson = (status: number, error: Record<string, string>, headers?: Record<string, string>) => ({
  status,
  json: { error },
  ...(headers && { headers }),
});

let wire: StripeWire | undefined;

afterEach(async () => {
  await wire?.close();
  wire = undefined;
});

async function clientOn(
  answers: WireAnswer[],
  options: { timeoutMs?: number; maxNetworkRetries?: number } = {},
): Promise<{ client: StripeHttpClient; wire: StripeWire }> {
  wire = await startStripeWire((index) => answers[Math.min(index, answers.length - 1)] ?? 'drop');
  const client = new StripeHttpClient({
    apiKey: 'sk_test_wire',
    apiBase: wire.url,
    timeoutMs: options.timeoutMs ?? 2_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 1,
  });
  return { client, wire };
}

async function failureOf(promise: Promise<unknown>): Promise<StripeRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StripeRequestError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const charge = (client: StripeHttpClient, key: string) =>
  client.post(STRIPE_PATHS.paymentIntents, { amount: 100, currency: 'eur' }, key, PaymentIntent);

describe('Function: stripeErrorOf (the SDK 23 classification of an error answer)', () => {
  it.each<[string, RawStripeError, string, string]>([
    [
      'a decline (402)',
      { statusCode: 402, type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' },
      'StripeCardError',
      'CardDeclinedError',
    ],
    [
      'an invalid request (400)',
      { statusCode: 400, type: 'invalid_request_error' },
      'StripeInvalidRequestError',
      'InvalidPaymentError',
    ],
    [
      'an unknown object (404)',
      { statusCode: 404, type: 'invalid_request_error' },
      'StripeInvalidRequestError',
      'InvalidPaymentError',
    ],
    [
      'a key reused with other parameters (400)',
      { statusCode: 400, type: 'idempotency_error' },
      'StripeIdempotencyError',
      'InvalidPaymentError',
    ],
    [
      'a key in use by a running request (409)',
      { statusCode: 409, type: 'idempotency_error', code: 'idempotency_key_in_use' },
      'StripeAPIError',
      'GatewayTimeoutError',
    ],
    [
      'a lock timeout (409)',
      { statusCode: 409, type: 'invalid_request_error', code: 'lock_timeout' },
      'StripeAPIError',
      'GatewayTimeoutError',
    ],
    [
      'a rejected key (401)',
      { statusCode: 401, type: 'invalid_request_error' },
      'StripeAuthenticationError',
      'GatewayUnavailableError',
    ],
    [
      'a restricted key (403)',
      { statusCode: 403, type: 'invalid_request_error' },
      'StripePermissionError',
      'GatewayUnavailableError',
    ],
    [
      'a 429',
      { statusCode: 429, type: 'rate_limit_error', code: 'rate_limit' },
      'StripeRateLimitError',
      'ThrottlingError',
    ],
    [
      'a rate limit answered 400',
      { statusCode: 400, type: 'invalid_request_error', code: 'rate_limit' },
      'StripeRateLimitError',
      'ThrottlingError',
    ],
    ['a 500', { statusCode: 500, type: 'api_error' }, 'StripeAPIError', 'GatewayUnavailableError'],
  ])('classifies %s', (_what, raw, type, paysagaName) => {
    // Act
    const error = stripeErrorOf({ message: 'said', ...raw });

    // Assess
    expect(error.type).toBe(type);
    expect(error.name).toBe('StripeRequestError');
    expect(error.rawType).toBe(raw.type);
    expect(error.statusCode).toBe(raw.statusCode);
    expect(toPaysagaError(error, 'charge pay-1').name).toBe(paysagaName);
  });

  it('keeps the decline code as the reason, and says "in progress" for a key in use', () => {
    // Act
    const declined = toPaysagaError(
      stripeErrorOf({ statusCode: 402, code: 'card_declined', decline_code: 'lost_card', message: 'x' }),
      'charge pay-2',
    ) as Error & { reasonCode: string };
    const inUse = toPaysagaError(
      stripeErrorOf({ statusCode: 409, type: 'idempotency_error', code: 'idempotency_key_in_use' }),
      'charge pay-2',
    );

    // Assess
    expect(declined.reasonCode).toBe('lost_card');
    expect(inUse).toBeInstanceOf(GatewayTimeoutError);
    expect(inUse.message).toContain('in progress');
  });
});

describe('Function: retryAfter (the SDK 23 network retry rule)', () => {
  const answer = (status: number, shouldRetry?: string) => ({
    status,
    headers: shouldRetry === undefined ? {} : { 'stripe-should-retry': shouldRetry },
  });
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const refused = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });

  it.each([
    ['a 5xx while retries remain', answer(503), 0, 1, undefined, true],
    ['a 5xx with no retry left', answer(503), 1, 1, undefined, false],
    ['a 409', answer(409), 0, 1, undefined, true],
    ['a 400', answer(400), 0, 1, undefined, false],
    ['a 503 with Stripe-Should-Retry: false', answer(503, 'false'), 0, 1, undefined, false],
    ['a 400 with Stripe-Should-Retry: true', answer(400, 'true'), 0, 1, undefined, true],
    ['a refused connection while retries remain', undefined, 0, 1, refused, true],
    ['a refused connection with retries off', undefined, 0, 0, refused, false],
    ['a closed connection on the first attempt, even with retries off', undefined, 0, 0, reset, true],
    ['a closed connection on a later attempt with no retry left', undefined, 1, 1, reset, false],
  ])('%s: %s', (_what, response, retries, max, error, expected) => {
    // Act / Assess
    expect(retryAfter(response, retries, max, error)).toBe(expected);
  });

  it('backs off as the SDK: 0.5 s first, then doubling with jitter, never over 5 s', () => {
    // Act
    const delays = (retries: number) => Array.from({ length: 50 }, () => retryDelayMs(retries));

    // Assess
    expect(new Set([...delays(0), ...delays(1)])).toEqual(new Set([500]));
    for (const delay of delays(2)) expect(delay).toBeGreaterThanOrEqual(500);
    for (const delay of delays(2)) expect(delay).toBeLessThanOrEqual(1000);
    for (const delay of delays(12)) expect(delay).toBeGreaterThanOrEqual(2500);
    for (const delay of delays(12)) expect(delay).toBeLessThanOrEqual(5000);
  });
});

describe('Class: StripeHttpClient (on the wire)', () => {
  it('retries a 503 with the same Idempotency-Key and returns the answer', async () => {
    // Prepare
    const key = `pay-${randomUUID()}`;
    const { client, wire } = await clientOn([
      errorJson(503, { type: 'api_error', message: 'down' }),
      { status: 200, json: intentJson('pi_1') },
    ]);

    // Act
    const intent = await charge(client, key);

    // Assess
    expect(intent.id).toBe('pi_1');
    expect(wire.received.map((r) => [r.method, r.headers['idempotency-key'], r.body])).toEqual([
      ['POST', key, 'amount=100&currency=eur'],
      ['POST', key, 'amount=100&currency=eur'],
    ]);
  });

  it('does not retry when Stripe-Should-Retry says false', async () => {
    // Prepare
    const { client, wire } = await clientOn([
      errorJson(500, { type: 'api_error', message: 'replayed failure' }, { 'Stripe-Should-Retry': 'false' }),
    ]);

    // Act
    const error = await failureOf(charge(client, `pay-${randomUUID()}`));

    // Assess
    expect(error).toMatchObject({ type: 'StripeAPIError', statusCode: 500, requestId: 'req_0' });
    expect(wire.received).toHaveLength(1);
  });

  it('answers a key still in use after its retry as retryable "in progress"', async () => {
    // Prepare
    const inUse = errorJson(409, {
      type: 'idempotency_error',
      code: 'idempotency_key_in_use',
      message: 'There is currently another in-progress request using this Idempotency Key',
    });
    const { client, wire } = await clientOn([inUse, inUse]);

    // Act
    const error = await failureOf(charge(client, `pay-${randomUUID()}`));

    // Assess
    expect(wire.received).toHaveLength(2);
    expect(error).toMatchObject({
      type: 'StripeAPIError',
      code: 'idempotency_key_in_use',
      rawType: 'idempotency_error',
    });
    expect(toPaysagaError(error, 'charge pay-3').name).toBe('GatewayTimeoutError');
  });

  it('retries a dropped connection once even with retries off, then reports it as a connection error', async () => {
    // Prepare
    const { client, wire } = await clientOn(['drop', 'drop'], { maxNetworkRetries: 0 });

    // Act
    const error = await failureOf(charge(client, `pay-${randomUUID()}`));

    // Assess
    expect(wire.received).toHaveLength(2);
    expect(error.type).toBe('StripeConnectionError');
    expect((error.detail as { code?: string }).code).toBe('ECONNRESET');
    expect(toPaysagaError(error, 'charge pay-4').name).toBe('GatewayTimeoutError');
  });

  it('gives up an attempt after its timeout (ETIMEDOUT, ambiguous)', async () => {
    // Prepare
    const { client, wire } = await clientOn(['hang'], { timeoutMs: 150, maxNetworkRetries: 0 });

    // Act
    const error = await failureOf(charge(client, `pay-${randomUUID()}`));

    // Assess
    expect(wire.received).toHaveLength(1);
    expect(error.message).toBe('Request aborted due to timeout being reached (150ms)');
    expect((error.detail as { code?: string }).code).toBe('ETIMEDOUT');
    expect(toPaysagaError(error, 'charge pay-5').message).toContain('same idempotency key');
  });

  it('reports a refused connection by its code, after the retry', async () => {
    // Prepare
    const { client, wire } = await clientOn([]);
    await wire.close();

    // Act
    const error = await failureOf(charge(client, `pay-${randomUUID()}`));

    // Assess
    expect(error.type).toBe('StripeConnectionError');
    expect(error.message).toContain('retried 1 times');
    expect(toPaysagaError(error, 'charge pay-6').message).toContain('ECONNREFUSED');
  });

  it.each([
    ['invalid JSON', { status: 200, text: '<html>' }, 'Invalid JSON'],
    ['an object of another shape', { status: 200, json: { id: 7 } }, 'Unexpected response'],
    ['an error status without an error', { status: 502, json: {} }, 'HTTP 502'],
  ])('refuses %s as a StripeAPIError', async (_what, reply, message) => {
    // Prepare
    const { client } = await clientOn([reply as WireAnswer], { maxNetworkRetries: 0 });

    // Act
    const error = await failureOf(client.get(STRIPE_PATHS.paymentIntent('pi_1'), {}, PaymentIntent));

    // Assess
    expect(error.type).toBe('StripeAPIError');
    expect(error.message).toContain(message);
  });

  it('sends reads without key or body, and pages a list by starting_after the last id', async () => {
    // Prepare
    const { client, wire } = await clientOn([
      { status: 200, json: { data: [intentJson('pi_3'), intentJson('pi_2')], has_more: true } },
      { status: 200, json: { data: [intentJson('pi_1')], has_more: false } },
    ]);

    // Act
    const ids: string[] = [];
    for await (const intent of client.list(STRIPE_PATHS.paymentIntents, { limit: 2 }, PaymentIntentPage)) {
      ids.push(intent.id);
    }

    // Assess
    expect(ids).toEqual(['pi_3', 'pi_2', 'pi_1']);
    expect(wire.received.map((r) => [r.method, r.url, r.body, r.headers['idempotency-key']])).toEqual([
      ['GET', '/v1/payment_intents?limit=2', '', undefined],
      ['GET', '/v1/payment_intents?limit=2&starting_after=pi_2', '', undefined],
    ]);
  });

  it('pages a search by next_page, and refuses has_more without it', async () => {
    // Prepare
    const { client, wire } = await clientOn([
      { status: 200, json: { data: [intentJson('pi_2')], has_more: true, next_page: 'p2' } },
      { status: 200, json: { data: [intentJson('pi_1')], has_more: true, next_page: null } },
    ]);

    // Act
    const ids: string[] = [];
    const error = await failureOf(
      (async () => {
        for await (const intent of client.search(
          STRIPE_PATHS.searchPaymentIntents,
          { query: 'q' },
          PaymentIntentPage,
        )) {
          ids.push(intent.id);
        }
      })(),
    );

    // Assess
    expect(ids).toEqual(['pi_2', 'pi_1']);
    expect(wire.received.map((r) => r.url)).toEqual([
      '/v1/payment_intents/search?query=q',
      '/v1/payment_intents/search?query=q&page=p2',
    ]);
    expect(error.message).toContain('next_page');
  });
});
