import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../core/canonical-json';
import { API } from '../../core/config/names';
import type { ApiRequestRecord } from '../../core/frontdoor/api-request-store';
import type { ApiClient } from '../../core/frontdoor/clients';
import { PaymentStatusResponse, type Problem } from '../../core/frontdoor/contract';
import { PublishFailedError, PublishRefusedError } from '../../core/frontdoor/outbox-publish';
import { paymentStatusView } from '../../core/frontdoor/payment-status';
import { requestHash } from '../../core/payments/payment-log';
import type { PaymentRecord } from '../../core/payments/records';
import {
  RefundAcceptedResponse,
  type RefundProblem,
  RefundStatusResponse,
} from '../../core/refunds/contract';
import type { RefundRecord } from '../../core/refunds/record';
import { type RefundSubmitDeps, submitRefund } from '../../core/refunds/submit';
import { getRefundStatus } from '../../core/refunds/view';
import type { PaymentRequested } from '../../events/payment-requested.v1';
import { RefundRequestedV1 } from '../../events/refunds.v1';

const now = new Date('2026-12-05T10:00:00.000Z');
const acme: ApiClient = { clientId: 'acme', source: 'partner.acme' };
const globex: ApiClient = { clientId: 'globex', source: 'partner.globex' };
const PAN = '4242424242424242';
const eur = (value: number) => ({ value, currency: 'EUR' as const, exponent: 2 });

const newId = (prefix: string) => `${prefix}_${randomUUID().slice(0, 12)}`;

/** A payment acme submitted over HTTP, and the saga's record of it (SUCCEEDED, split 500 wallet + 750 card). */
function submittedPayment(overrides: Partial<PaymentRecord> = {}) {
  const paymentId = newId('pay');
  const asked: PaymentRequested = {
    schemaVersion: '1',
    paymentId,
    walletId: 'wal_1',
    merchantId: 'mer_1',
    amount: eur(1250),
    paymentMethod: 'pm_card_visa',
    requestedAt: '2026-12-05T09:00:00.000Z',
  };
  const request: ApiRequestRecord = {
    paymentId,
    clientId: acme.clientId,
    source: acme.source,
    clientHash: 'h',
    detail: canonicalJson(asked),
    acceptedAt: '2026-12-05T09:00:00.100Z',
    publishedAt: '2026-12-05T09:00:00.120Z',
  };
  const record: PaymentRecord = {
    paymentId,
    status: 'SUCCEEDED',
    walletId: 'wal_1',
    merchantId: 'mer_1',
    amount: 1250,
    currency: 'EUR',
    exponent: 2,
    requestedAt: asked.requestedAt,
    requestHash: requestHash(asked),
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:paysaga-local-payment-saga:${paymentId}`,
    createdAt: '2026-12-05T09:00:01.000Z',
    updatedAt: '2026-12-05T09:00:03.000Z',
    terminalAt: '2026-12-05T09:00:03.000Z',
    chargeId: 'pi_123',
    walletAmount: 500,
    gatewayAmount: 750,
    ...overrides,
  };
  return { paymentId, request, record };
}

/** In-memory request records, payments, refund records and bus, with switchable publish failures. */
function fakes(options: { publishFails?: 'transient' | 'refused' } = {}) {
  const requests = new Map<string, ApiRequestRecord>();
  const payments = new Map<string, PaymentRecord>();
  const refunds = new Map<string, RefundRecord>();
  const published: { source: string; detail: string }[] = [];
  let failure = options.publishFails;
  const deps: RefundSubmitDeps = {
    requests: { get: async (id) => requests.get(id) },
    payments: { get: async (id) => payments.get(id) },
    refunds: {
      get: async (paymentId, refundId) => refunds.get(`${paymentId}/${refundId}`),
      putRequest: async (asked) => {
        const key = `${asked.paymentId}/${asked.refundId}`;
        const existing = refunds.get(key);
        if (existing) {
          return {
            outcome: existing.requestHash === asked.requestHash ? 'duplicate' : 'conflict',
            record: existing,
          };
        }
        const record: RefundRecord = {
          ...asked,
          status: 'REQUESTED',
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
        };
        refunds.set(key, record);
        return { outcome: 'created', record };
      },
    },
    publish: async (source, detail) => {
      if (failure === 'transient') throw new PublishFailedError('bus busy');
      if (failure === 'refused') throw new PublishRefusedError('AccessDenied');
      published.push({ source, detail });
      return `evt-${published.length}`;
    },
    executionArnOf: (paymentId, refundId) =>
      `arn:aws:states:us-east-1:000000000000:execution:paysaga-local-refund-saga:${paymentId}.${refundId}`,
    now: () => now,
  };
  /** `request: false`: a payment that came from the bus; `record: false`: submitted, no saga yet. */
  const seed = (payment: ReturnType<typeof submittedPayment>, has = { request: true, record: true }) => {
    if (has.request) requests.set(payment.paymentId, payment.request);
    if (has.record) payments.set(payment.paymentId, payment.record);
    return payment;
  };
  return { deps, refunds, published, seed, heal: () => (failure = undefined) };
}

const refund = (
  deps: RefundSubmitDeps,
  client: ApiClient,
  paymentId: string,
  key: string | undefined,
  body: unknown,
) =>
  submitRefund(deps, client, {
    idempotencyKey: key,
    paymentId,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const problemOf = (response: { body: string }) => JSON.parse(response.body) as RefundProblem;

describe('submitRefund', () => {
  it("accepts a refund of the caller's payment: 202 with Location, published under its own source; a repeat replays", async () => {
    // Prepare
    const { deps, published, seed } = fakes();
    const { paymentId } = seed(submittedPayment());
    const refundId = newId('ref');
    const body = { amount: eur(300), reason: '  customer returned one book  ' };

    // Act
    const first = await refund(deps, acme, paymentId, refundId, body);
    const again = await refund(deps, acme, paymentId, refundId, body);

    // Assess
    expect(first.statusCode).toBe(202);
    const location = `/v1/payments/${paymentId}/refunds/${refundId}`;
    expect(first.headers.location).toBe(location);
    expect(RefundAcceptedResponse.parse(JSON.parse(first.body))).toMatchObject({
      refundId,
      paymentId,
      status: 'ACCEPTED',
      statusUrl: location,
    });
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(published.map((p) => p.source)).toEqual([acme.source, acme.source]);
    const detail = RefundRequestedV1.parse(JSON.parse(published[0]?.detail ?? '{}'));
    expect(detail).toMatchObject({
      refundId,
      paymentId,
      amount: eur(300),
      reason: 'customer returned one book',
    });
  });

  it("answers 404 for another client's payment, exactly as for an unknown one", async () => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const theirs = seed(submittedPayment());
    const body = { reason: 'refund' };

    // Act
    const other = await refund(deps, globex, theirs.paymentId, newId('ref'), body);
    const unknown = await refund(deps, globex, newId('pay'), newId('ref'), body);
    const malformed = await refund(deps, globex, 'not a payment id', newId('ref'), body);

    // Assess
    expect(other.statusCode).toBe(404);
    expect(other.body).toBe(unknown.body);
    expect(malformed.body).toBe(unknown.body);
    expect(refunds.size).toBe(0);
  });

  it('answers 404 for a payment that came from the bus (no request record of this client)', async () => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const { paymentId } = seed(submittedPayment(), { request: false, record: true });

    // Act
    const answer = await refund(deps, acme, paymentId, newId('ref'), { reason: 'refund' });

    // Assess
    expect(answer.statusCode).toBe(404);
    expect(problemOf(answer).type).toContain('payment_not_found');
    expect(refunds.size).toBe(0);
  });

  it.each([
    ['FAILED', { status: 'FAILED' as const }],
    ['NEEDS_ATTENTION', { status: 'NEEDS_ATTENTION' as const }],
  ])('answers 409 for a %s payment, naming its status', async (status, overrides) => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const { paymentId } = seed(submittedPayment(overrides));

    // Act
    const answer = await refund(deps, acme, paymentId, newId('ref'), { reason: 'refund' });

    // Assess
    expect(answer.statusCode).toBe(409);
    expect(problemOf(answer)).toMatchObject({
      paymentStatus: status,
      type: expect.stringContaining('payment_not_refundable'),
    });
    expect(problemOf(answer).detail).toContain(status);
    expect(refunds.size).toBe(0);
  });

  it("answers 409 ACCEPTED before the saga ran, and REJECTED when the saga under the id is someone else's", async () => {
    // Prepare
    const { deps, seed } = fakes();
    const early = seed(submittedPayment(), { request: true, record: false });
    const taken = seed(submittedPayment({ requestHash: 'another request' }));

    // Act
    const accepted = await refund(deps, acme, early.paymentId, newId('ref'), { reason: 'refund' });
    const rejected = await refund(deps, acme, taken.paymentId, newId('ref'), { reason: 'refund' });

    // Assess
    expect([accepted.statusCode, problemOf(accepted).paymentStatus]).toEqual([409, 'ACCEPTED']);
    expect([rejected.statusCode, problemOf(rejected).paymentStatus]).toEqual([409, 'REJECTED']);
  });

  it('answers 409 with the amount still refundable when more is asked', async () => {
    // Prepare
    const { deps, seed } = fakes();
    const { paymentId } = seed(
      submittedPayment({ refundCommitted: 1000, refundCommittedGateway: 750, refundCommittedWallet: 250 }),
    );

    // Act
    const answer = await refund(deps, acme, paymentId, newId('ref'), { amount: eur(251), reason: 'refund' });

    // Assess
    expect(answer.statusCode).toBe(409);
    expect(problemOf(answer)).toMatchObject({ refundable: eur(250), status: 409 });
    expect(problemOf(answer).detail).toContain('EUR 2.50');
  });

  it.each([
    ['zero', { amount: eur(0), reason: 'r' }, 'amount.value'],
    ['negative', { amount: eur(-5), reason: 'r' }, 'amount.value'],
    [
      'another currency',
      { amount: { value: 100, currency: 'USD', exponent: 2 }, reason: 'r' },
      'amount.currency',
    ],
    [
      'another exponent',
      { amount: { value: 100, currency: 'EUR', exponent: 3 }, reason: 'r' },
      'amount.exponent',
    ],
    ['no reason', { amount: eur(100) }, 'reason'],
    ['a blank reason', { reason: '   ' }, 'reason'],
    ['an unknown field', { reason: 'r', paymentId: 'pay_other' }, '(body)'],
  ])('answers 400 for %s, naming the field', async (_label, body, path) => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const { paymentId } = seed(submittedPayment());

    // Act
    const answer = await refund(deps, acme, paymentId, newId('ref'), body);

    // Assess
    expect(answer.statusCode).toBe(400);
    expect(problemOf(answer).errors?.map((error) => error.path)).toContain(path);
    expect(refunds.size).toBe(0);
  });

  it('refuses a card number in the reason, the key or the path with 400, never echoing it', async () => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const { paymentId } = seed(submittedPayment());

    // Act
    const inReason = await refund(deps, acme, paymentId, newId('ref'), {
      reason: `card ${PAN} was charged twice`,
    });
    const inKey = await refund(deps, acme, paymentId, PAN, { reason: 'refund' });
    const inPath = await refund(deps, acme, PAN, newId('ref'), { reason: 'refund' });

    // Assess
    for (const answer of [inReason, inKey, inPath]) {
      expect(answer.statusCode).toBe(400);
      expect(problemOf(answer).type).toContain('card_data_refused');
      expect(answer.body).not.toContain(PAN);
    }
    expect(problemOf(inReason).errors?.[0]?.path).toBe('reason');
    expect(refunds.size).toBe(0);
  });

  it('answers 400 without a valid Idempotency-Key, and when the body names another refundId', async () => {
    // Prepare
    const { deps, seed } = fakes();
    const { paymentId } = seed(submittedPayment());

    // Act
    const missing = await refund(deps, acme, paymentId, undefined, { reason: 'r' });
    const invalid = await refund(deps, acme, paymentId, 'has spaces', { reason: 'r' });
    const mismatch = await refund(deps, acme, paymentId, newId('ref'), {
      refundId: 'ref_other',
      reason: 'r',
    });

    // Assess
    expect([missing.statusCode, invalid.statusCode, mismatch.statusCode]).toEqual([400, 400, 400]);
    expect(problemOf(missing).errors?.[0]?.path).toBe(`header:${API.idempotencyHeader}`);
    expect(problemOf(mismatch).errors?.[0]?.path).toBe('refundId');
  });

  it('answers 409 for the same key with another body, and records nothing new', async () => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const { paymentId } = seed(submittedPayment());
    const refundId = newId('ref');
    await refund(deps, acme, paymentId, refundId, { amount: eur(100), reason: 'r' });

    // Act
    const answer = await refund(deps, acme, paymentId, refundId, { amount: eur(200), reason: 'r' });

    // Assess
    expect(answer.statusCode).toBe(409);
    expect(problemOf(answer).type).toContain('idempotency_key_reused');
    expect(refunds.get(`${paymentId}/${refundId}`)?.requestedAmount).toBe(100);
  });

  it('answers 503 when the bus is busy, keeps the request, and publishes it on a retry with the same key', async () => {
    // Prepare
    const { deps, seed, refunds, published, heal } = fakes({ publishFails: 'transient' });
    const { paymentId } = seed(submittedPayment());
    const refundId = newId('ref');

    // Act
    const busy = await refund(deps, acme, paymentId, refundId, { reason: 'r' });
    heal();
    const retried = await refund(deps, acme, paymentId, refundId, { reason: 'r' });

    // Assess
    expect(busy.statusCode).toBe(503);
    expect(refunds.get(`${paymentId}/${refundId}`)?.status).toBe('REQUESTED');
    expect(retried.statusCode).toBe(202);
    expect(published).toHaveLength(1);
  });

  it('answers 500 publish_refused when the bus refuses the entry, the request kept', async () => {
    // Prepare
    const { deps, seed, refunds } = fakes({ publishFails: 'refused' });
    const { paymentId } = seed(submittedPayment());
    const refundId = newId('ref');

    // Act
    const answer = await refund(deps, acme, paymentId, refundId, { reason: 'r' });

    // Assess
    expect(answer.statusCode).toBe(500);
    expect(problemOf(answer).type).toContain('publish_refused');
    expect(refunds.has(`${paymentId}/${refundId}`)).toBe(true);
  });
});

describe('getRefundStatus', () => {
  it('shows the caller its refund (amount, parts, reason, gateway refund id) and anyone else a 404', async () => {
    // Prepare
    const { deps, seed, refunds } = fakes();
    const { paymentId } = seed(submittedPayment());
    const refundId = newId('ref');
    await refund(deps, acme, paymentId, refundId, { amount: eur(900), reason: 'damaged' });
    const key = `${paymentId}/${refundId}`;
    const requested = refunds.get(key) as RefundRecord;
    refunds.set(key, {
      ...requested,
      status: 'SUCCEEDED',
      amount: 900,
      walletAmount: 150,
      gatewayAmount: 750,
      gatewayRefundId: 're_123',
      terminalAt: '2026-12-05T10:00:05.000Z',
    });

    // Act
    const own = await getRefundStatus(deps, acme, paymentId, refundId);
    const other = await getRefundStatus(deps, globex, paymentId, refundId);
    const unknown = await getRefundStatus(deps, acme, paymentId, newId('ref'));

    // Assess
    expect(own.statusCode).toBe(200);
    const view = RefundStatusResponse.parse(JSON.parse(own.body));
    expect(view).toEqual({
      refundId,
      paymentId,
      status: 'SUCCEEDED',
      amount: eur(900),
      parts: { walletAmount: 150, gatewayAmount: 750 },
      reason: 'damaged',
      requestedAt: now.toISOString(),
      updatedAt: now.toISOString(),
      completedAt: '2026-12-05T10:00:05.000Z',
      gatewayRefundId: 're_123',
    });
    expect(own.body).not.toContain('arn:');
    expect(other.statusCode).toBe(404);
    expect((JSON.parse(other.body) as Problem).type).toContain('payment_not_found');
    expect(unknown.statusCode).toBe(404);
  });
});

describe('paymentStatusView with refunds', () => {
  it('lists the refunds and says what is refundable and refunded', () => {
    // Prepare
    const { request, record } = submittedPayment({
      refundCommitted: 1000,
      refundCommittedGateway: 750,
      refundCommittedWallet: 250,
      refunded: 750,
    });
    const refundRecord = (
      refundId: string,
      status: RefundRecord['status'],
      amount?: number,
    ): RefundRecord => ({
      refundId,
      paymentId: record.paymentId,
      status,
      ...(amount !== undefined && { amount }),
      currency: 'EUR',
      exponent: 2,
      reason: 'r',
      requestHash: 'h',
      requestedAt: now.toISOString(),
      executionArn: 'arn',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });

    // Act
    const view = paymentStatusView(
      request,
      record,
      [],
      [
        refundRecord('ref_a', 'SUCCEEDED', 750),
        refundRecord('ref_b', 'RESERVED', 250),
        refundRecord('ref_c', 'REQUESTED'),
      ],
    );

    // Assess
    expect(PaymentStatusResponse.parse(view)).toEqual(view);
    expect(view.refunds).toEqual([
      { refundId: 'ref_a', status: 'SUCCEEDED', amount: eur(750) },
      { refundId: 'ref_b', status: 'RESERVED', amount: eur(250) },
      { refundId: 'ref_c', status: 'REQUESTED' },
    ]);
    expect(view.refundable).toEqual(eur(250));
    expect(view.refunded).toEqual(eur(750));
  });
});
