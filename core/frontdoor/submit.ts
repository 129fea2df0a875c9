import type { PaymentRequested } from '../../events/payment-requested.v1';
import { canonicalJson } from '../canonical-json';
import { API } from '../config/names';
import type { ApiRequestRecord, ApiRequestStore } from './api-request-store';
import type { ApiClient } from './clients';
import type { AcceptedResponse } from './contract';
import { type HttpResponse, json, problem } from './http';
import { parseSubmission, type SubmitInput } from './submit-request';

/** Puts one PaymentRequested on the bus under the client's source; returns the event id. */
export type PublishPaymentRequested = (source: string, detail: string) => Promise<string>;

/** The event bus refused or failed the entry: nothing is lost, the client retries with the same key. */
export class PublishFailedError extends Error {
  override readonly name = 'PublishFailedError';
}

export interface SubmitDeps {
  readonly requests: Pick<ApiRequestStore, 'get' | 'create' | 'markPublished'>;
  /** Whether a payment with this id already exists (requested on the bus directly, not through the API). */
  readonly paymentExists: (paymentId: string) => Promise<boolean>;
  readonly publish: PublishPaymentRequested;
  readonly now: () => Date;
}

export const statusPath = (paymentId: string): string =>
  API.routes.getPayment.path.replace('{paymentId}', encodeURIComponent(paymentId));

function accepted(record: ApiRequestRecord, replayed: boolean): HttpResponse {
  const location = statusPath(record.paymentId);
  const body: AcceptedResponse = {
    paymentId: record.paymentId,
    status: 'ACCEPTED',
    acceptedAt: record.acceptedAt,
    statusUrl: location,
  };
  return json(202, body, { location, ...(replayed && { 'idempotent-replayed': 'true' }) });
}

const paymentIdInUse = (paymentId: string): HttpResponse =>
  problem(
    409,
    'payment_id_in_use',
    'paymentId already in use',
    `paymentId ${paymentId} already names another payment; a new payment needs a new paymentId`,
  );

/** Publishes if not yet on the bus (a crash between record and publish, or a failed publish, is retried here). */
async function ensurePublished(
  deps: SubmitDeps,
  record: ApiRequestRecord,
): Promise<HttpResponse | undefined> {
  if (record.publishedAt) return undefined;
  try {
    const eventId = await deps.publish(record.source, record.detail);
    await deps.requests.markPublished(record.paymentId, eventId, deps.now());
    return undefined;
  } catch (error) {
    if (!(error instanceof PublishFailedError)) throw error;
    return problem(
      503,
      'not_published_yet',
      'Payment request not published yet',
      'the request is recorded but could not be put on the event bus; retry with the same Idempotency-Key',
    );
  }
}

/**
 * POST /v1/payments. The Idempotency-Key is the paymentId and the saga's
 * execution name: the same key and body answer the same 202 (re-publishing
 * only if the first attempt never reached the bus, which the saga dedupes
 * anyway); the same key with another body, or a key another client or a
 * direct event already used, answers 409.
 */
export async function submitPayment(
  deps: SubmitDeps,
  client: ApiClient,
  input: Omit<SubmitInput, 'now'>,
): Promise<HttpResponse> {
  const now = deps.now();
  const submission = parseSubmission({ ...input, now });
  if (!submission.ok) return submission.response;
  const { payment, clientHash } = submission;

  let record = await deps.requests.get(payment.paymentId);
  let replayed = true;
  if (!record) {
    if (await deps.paymentExists(payment.paymentId)) return paymentIdInUse(payment.paymentId);
    const fresh = newRecord(client, payment, clientHash, now);
    if (await deps.requests.create(fresh)) {
      record = fresh;
      replayed = false;
    } else {
      // Another request with this key won the race: answer as its retry would be answered.
      record = await deps.requests.get(payment.paymentId);
      if (!record) throw new Error(`api request ${payment.paymentId} vanished after a conditional write`);
    }
  }
  if (record.clientId !== client.clientId) return paymentIdInUse(payment.paymentId);
  if (record.clientHash !== clientHash) {
    return problem(
      409,
      'idempotency_key_reused',
      'Idempotency-Key reused with a different request',
      `${API.idempotencyHeader} ${payment.paymentId} was used for a different request body; a new payment needs a new key`,
    );
  }
  const notPublished = await ensurePublished(deps, record);
  return notPublished ?? accepted(record, replayed);
}

function newRecord(
  client: ApiClient,
  payment: PaymentRequested,
  clientHash: string,
  now: Date,
): ApiRequestRecord {
  return {
    paymentId: payment.paymentId,
    clientId: client.clientId,
    source: client.source,
    clientHash,
    detail: canonicalJson(payment),
    acceptedAt: now.toISOString(),
  };
}
