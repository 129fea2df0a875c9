import type { PaymentRequested } from '../../events/payment-requested.v1';
import { canonicalJson } from '../canonical-json';
import { API } from '../config/names';
import { walletNotFound } from '../wallets/view';
import type { ApiRequestRecord, ApiRequestStore } from './api-request-store';
import type { ApiClient } from './clients';
import type { AcceptedResponse } from './contract';
import { type HttpResponse, json, problem } from './http';
import { PublishFailedError, type PublishPaymentRequested, PublishRefusedError } from './outbox-publish';
import { parseSubmission, type SubmitInput } from './submit-request';

export interface SubmitDeps {
  readonly requests: Pick<ApiRequestStore, 'get' | 'create' | 'markPublished'>;
  /** Whether a payment with this id already exists (requested on the bus directly, not through the API). */
  readonly paymentExists: (paymentId: string) => Promise<boolean>;
  readonly publish: PublishPaymentRequested;
  readonly now: () => Date;
  /** Where a refusal that needs the operator is logged, at error level. */
  readonly logError: (message: string, details: Readonly<Record<string, unknown>>) => void;
  /** The client that opened a wallet over the front door (POST /v1/wallets); undefined for any other wallet. */
  readonly walletOwner: (walletId: string) => Promise<string | undefined>;
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

/**
 * The fast path: publishes if not yet on the bus and marks the record. The
 * outbox (./outbox.ts) publishes any recorded request this leaves behind (a
 * crash here, a failed publish), so a 503 or 500 never loses the request.
 */
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
    if (error instanceof PublishFailedError) {
      return problem(
        503,
        'not_published_yet',
        'Payment request not published yet',
        'the request is recorded and will be published; retry with the same Idempotency-Key to see it accepted',
      );
    }
    if (!(error instanceof PublishRefusedError)) throw error;
    deps.logError('publish_refused: the event bus refused a recorded payment request', {
      paymentId: record.paymentId,
      errorName: error.name,
      errorMessage: error.message,
    });
    return problem(
      500,
      'publish_refused',
      'Payment request recorded but refused by the event bus',
      'the request is recorded; contact the operator: once the cause is fixed it is published (by the outbox, or by a retry with the same Idempotency-Key); do not resubmit under a new key',
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
  // A wallet another client opened is not this client's to pay from: it answers as GET /v1/wallets/{id} does.
  const owner = await deps.walletOwner(payment.walletId);
  if (owner !== undefined && owner !== client.clientId) return walletNotFound();

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
