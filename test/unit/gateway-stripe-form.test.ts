import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeForm, type FormParams } from '../../core/gateway/stripe-form';
import { STRIPE_API_VERSION, StripeHttpClient } from '../../core/gateway/stripe-http';
import {
  chargeRequest,
  createdListParams,
  PAGE_SIZE,
  PaymentIntent,
  PaymentIntentPage,
  Refund,
  RefundPage,
  refundRequest,
  STRIPE_PATHS,
  searchByPaymentIdParams,
} from '../../core/gateway/stripe-resources';
import { type StripeWire, startStripeWire, type WireAnswer, type WireRequest } from '../helpers/stripe-wire';

const intentJson = (id: string) => ({
  id,
  object: 'payment_intent',
  amount: 1250,
  currency: 'eur',
  status: 'succeeded',
  created: 1_764_900_000,
  metadata: { paymentId: 'pay-1' },
});
const refundJson = { ...intentJson('re_1'), object: 'refund', payment_intent: 'pi_1' };

/** Answers what each request expects; a list or search has two pages, so the next-page request is compared too. */
function answerFor(_index: number, request: WireRequest): WireAnswer {
  const url = new URL(request.url, 'http://wire');
  const list = request.method === 'GET' && !/\/v1\/payment_intents\/pi_/.test(url.pathname);
  if (!list)
    return { status: 200, json: request.url.startsWith('/v1/refunds') ? refundJson : intentJson('pi_1') };
  const last = url.searchParams.has('starting_after') || url.searchParams.has('page');
  const item =
    url.pathname === STRIPE_PATHS.refunds ? refundJson : intentJson(`pi_${randomUUID().slice(0, 8)}`);
  return {
    status: 200,
    json: { object: 'list', data: [item], has_more: !last, ...(last ? {} : { next_page: "tok'en=1" }) },
  };
}

let wire: StripeWire;
let apiKey: string;

beforeAll(async () => {
  wire = await startStripeWire(answerFor);
});

afterAll(async () => {
  await wire.close();
});

function clients() {
  apiKey = `sk_test_${randomUUID().replaceAll('-', '')}`;
  const { port } = new URL(wire.url);
  const sdk = new Stripe(apiKey, {
    host: '127.0.0.1',
    port: Number(port),
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
    appInfo: { name: 'paysaga' },
  });
  const ours = new StripeHttpClient({ apiKey, apiBase: wire.url, timeoutMs: 5_000, maxNetworkRetries: 0 });
  return { sdk, ours };
}

/** What the gateway reads of a request: method, path and query, body, and the headers that carry meaning. */
function onTheWire(requests: WireRequest[]) {
  return requests.map(({ method, url, body, headers }) => ({
    method,
    url,
    body,
    authorization: headers.authorization,
    stripeVersion: headers['stripe-version'],
    idempotencyKey: headers['idempotency-key'],
    contentType: headers['content-type'],
    contentLength: headers['content-length'],
    accept: headers.accept,
  }));
}

/** The requests each client sent for the same call, the SDK's first, then ours. */
async function sentBy(
  bySdk: (sdk: Stripe) => Promise<unknown>,
  byOurs: (ours: StripeHttpClient) => Promise<unknown>,
) {
  const { sdk, ours } = clients();
  const start = wire.received.length;
  await bySdk(sdk);
  const middle = wire.received.length;
  await byOurs(ours);
  return { sdk: onTheWire(wire.received.slice(start, middle)), ours: onTheWire(wire.received.slice(middle)) };
}

const drain = async (items: AsyncIterable<unknown>) => {
  for await (const _ of items);
};

describe('Module: stripe-form (our wire format against the stripe SDK 23)', () => {
  it('sends a charge exactly as the SDK did: body, Idempotency-Key (the paymentId), Stripe-Version, auth', async () => {
    // Prepare: every kind of value the adapter sends, and metadata needing escapes
    const paymentId = `pay-${randomUUID()}`;
    const { params, idempotencyKey } = chargeRequest({
      paymentId,
      stripeAmount: 500000,
      currency: 'ISK',
      paymentMethod: 'pm_card_visa',
      description: "order #1 (l'été) 50% *off*!",
      metadata: { order: 'o-1', 'a key[x]': "a&b=c'd", paymentId: 'spoofed' },
    });

    // Act
    let sdkAnswer: unknown;
    const sent = await sentBy(
      (sdk) =>
        sdk.paymentIntents
          .create(params as unknown as Stripe.PaymentIntentCreateParams, { idempotencyKey })
          .then((intent) => {
            sdkAnswer = intent.id;
          }),
      (ours) => ours.post(STRIPE_PATHS.paymentIntents, params, idempotencyKey, PaymentIntent),
    );

    // Assess
    expect(sent.ours).toEqual(sent.sdk);
    expect(sent.ours).toHaveLength(1);
    expect(sdkAnswer).toBe('pi_1');
    expect(sent.ours[0]).toMatchObject({
      method: 'POST',
      url: '/v1/payment_intents',
      idempotencyKey: paymentId,
      stripeVersion: Stripe.API_VERSION,
      authorization: `Bearer ${apiKey}`,
    });
    expect(sent.ours[0]?.body).toContain(`metadata[paymentId]=${paymentId}`);
    expect(sent.ours[0]?.body).toContain('allowed_payment_method_types[0]=card');
  });

  it('sends a charge without description or metadata as the SDK did', async () => {
    // Prepare
    const { params, idempotencyKey } = chargeRequest({
      paymentId: `pay-${randomUUID()}`,
      stripeAmount: 990,
      currency: 'EUR',
      paymentMethod: 'pm_card_visa',
    });

    // Act
    const sent = await sentBy(
      (sdk) =>
        sdk.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams, { idempotencyKey }),
      (ours) => ours.post(STRIPE_PATHS.paymentIntents, params, idempotencyKey, PaymentIntent),
    );

    // Assess
    expect(sent.ours).toEqual(sent.sdk);
  });

  it.each([
    ['the compensation refund (refund:<paymentId>)', undefined],
    ['a refund saga refund (refund:<paymentId>:<refundId>)', 'rf-2'],
  ])('sends %s as the SDK did', async (_what, refundId) => {
    // Prepare
    const paymentId = `pay-${randomUUID()}`;
    const { params, idempotencyKey } = refundRequest({
      paymentId,
      chargeId: 'pi_1',
      stripeAmount: 700,
      refundId,
    });

    // Act
    const sent = await sentBy(
      (sdk) => sdk.refunds.create(params as unknown as Stripe.RefundCreateParams, { idempotencyKey }),
      (ours) => ours.post(STRIPE_PATHS.refunds, params, idempotencyKey, Refund),
    );

    // Assess
    expect(sent.ours).toEqual(sent.sdk);
    expect(sent.ours[0]?.idempotencyKey).toBe(
      refundId ? `refund:${paymentId}:${refundId}` : `refund:${paymentId}`,
    );
  });

  it('reads a PaymentIntent as the SDK did (no key, no body)', async () => {
    // Act
    const sent = await sentBy(
      (sdk) => sdk.paymentIntents.retrieve('pi_1'),
      (ours) => ours.get(STRIPE_PATHS.paymentIntent('pi_1'), {}, PaymentIntent),
    );

    // Assess
    expect(sent.ours).toEqual(sent.sdk);
    expect(sent.ours[0]).toMatchObject({ method: 'GET', body: '', idempotencyKey: undefined });
  });

  it.each([
    ['a lookup window', { gte: 1_764_900_000, lte: 1_764_900_660 }],
    ['a period', { gte: 1_764_900_000, lt: 1_764_986_400 }],
  ])(
    'pages through %s of PaymentIntents as the SDK did (starting_after the last id)',
    async (_what, created) => {
      // Act
      const sent = await sentBy(
        (sdk) => drain(sdk.paymentIntents.list(createdListParams(created) as Stripe.PaymentIntentListParams)),
        (ours) =>
          drain(ours.list(STRIPE_PATHS.paymentIntents, createdListParams(created), PaymentIntentPage)),
      );

      // Assess: two pages each; the ids differ per page, so the starting_after values are compared by shape
      const shape = (url: string) => url.replace(/starting_after=pi_[0-9a-f]+/, 'starting_after=ID');
      expect(sent.ours.map((r) => shape(r.url))).toEqual(sent.sdk.map((r) => shape(r.url)));
      expect(sent.ours).toHaveLength(2);
      expect(sent.ours[0]?.url).toContain(`limit=${PAGE_SIZE}`);
      expect(sent.ours.map(({ url: _, ...rest }) => rest)).toEqual(
        sent.sdk.map(({ url: _, ...rest }) => rest),
      );
    },
  );

  it("pages through a charge's refunds as the SDK did", async () => {
    // Act
    const params = { payment_intent: 'pi_1', limit: PAGE_SIZE };
    const sent = await sentBy(
      (sdk) => drain(sdk.refunds.list(params)),
      (ours) => drain(ours.list(STRIPE_PATHS.refunds, params, RefundPage)),
    );

    // Assess
    expect(sent.ours).toEqual(sent.sdk);
    expect(sent.ours[1]?.url).toContain('starting_after=re_1');
  });

  it('searches by paymentId (quotes escaped) and pages by next_page as the SDK did', async () => {
    // Act
    const params = searchByPaymentIdParams("pay-o'brien&co");
    const sent = await sentBy(
      (sdk) => drain(sdk.paymentIntents.search(params as unknown as Stripe.PaymentIntentSearchParams)),
      (ours) => drain(ours.search(STRIPE_PATHS.searchPaymentIntents, params, PaymentIntentPage)),
    );

    // Assess
    expect(sent.ours).toEqual(sent.sdk);
    expect(sent.ours).toHaveLength(2);
    expect(sent.ours[1]?.url).toContain('page=tok%27en%3D1');
  });
});

describe('Function: encodeForm', () => {
  it.each<[string, FormParams, string]>([
    ['nested objects with brackets kept', { created: { gte: 1, lt: 2 } }, 'created[gte]=1&created[lt]=2'],
    ['indexed arrays', { types: ['card', 'link'] }, 'types[0]=card&types[1]=link'],
    ['arrays of objects', { items: [{ a: 1 }] }, 'items[0][a]=1'],
    ['booleans and numbers', { confirm: true, amount: 0 }, 'confirm=true&amount=0'],
    ['undefined dropped, null empty', { a: undefined, b: null }, 'b='],
    ['a Date as Unix seconds', { at: new Date('2026-12-05T00:00:01.900Z') }, 'at=1796428801'],
    ["qs's extra escapes", { q: "it's (a)*!" }, 'q=it%27s%20%28a%29%2A%21'],
    ['reserved characters and UTF-8', { 'm[k]': 'a&b=c é' }, 'm[k]=a%26b%3Dc%20%C3%A9'],
  ])('encodes %s', (_what, params, expected) => {
    // Act / Assess
    expect(encodeForm(params)).toBe(expected);
  });

  it('pins the API version the SDK sends', () => {
    // Assess
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
  });
});
