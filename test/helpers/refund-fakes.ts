import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../../core/canonical-json';
import type { ApiRequestRecord } from '../../core/frontdoor/api-request-store';
import type { ApiClient } from '../../core/frontdoor/clients';
import { PublishFailedError, PublishRefusedError } from '../../core/frontdoor/outbox-publish';
import { requestHash } from '../../core/payments/payment-log';
import type { PaymentRecord } from '../../core/payments/records';
import type { RefundProblem } from '../../core/refunds/contract';
import type { RefundRecord } from '../../core/refunds/record';
import { type RefundSubmitDeps, submitRefund } from '../../core/refunds/submit';
import type { PaymentRequested } from '../../events/payment-requested.v1';

/**
 * In-memory dependencies of the refund routes (core/refunds/submit.ts, view.ts): request records,
 * payments, refund records and a bus with switchable failures, and payments acme submitted.
 */
export const now = new Date('2026-12-05T10:00:00.000Z');
export const acme: ApiClient = { clientId: 'acme', source: 'partner.acme' };
export const globex: ApiClient = { clientId: 'globex', source: 'partner.globex' };
export const PAN = '4242424242424242';
export const eur = (value: number) => ({ value, currency: 'EUR' as const, exponent: 2 });

export const newId = (prefix: string) => `${prefix}_${randomUUID().slice(0, 12)}`;

/** A payment acme submitted over HTTP, and the saga's record of it (SUCCEEDED, split 500 wallet + 750 card). */
export function submittedPayment(overrides: Partial<PaymentRecord> = {}) {
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
export function fakes(options: { publishFails?: 'transient' | 'refused' } = {}) {
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

export const refund = (
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
export const problemOf = (response: { body: string }) => JSON.parse(response.body) as RefundProblem;
