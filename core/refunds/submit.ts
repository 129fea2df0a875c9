import { RefundId, type RefundRequested, RefundRequestedV1 } from '../../events/refunds.v1';
import { API } from '../config/names';
import type { ApiClient } from '../frontdoor/clients';
import type { AmountView } from '../frontdoor/contract';
import { type FieldError, type HttpResponse, json, problem } from '../frontdoor/http';
import { PublishFailedError, PublishRefusedError } from '../frontdoor/outbox-publish';
import { cardDataRefused, fieldErrors, parseJsonObject, type Refusal } from '../frontdoor/request-body';
import { formatMoney, isCurrency } from '../money';
import { containsPan } from '../pan';
import { type RefundAcceptedResponse, RefundBody, type RefundProblem } from './contract';
import { type OwnedPaymentDeps, ownedPayment, paymentNotFound } from './owned-payment';
import type { RefundRecord } from './record';
import { type RefundRequestDeps, type RefundRequestResult, requestRefund } from './request';

/**
 * POST /v1/payments/{paymentId}/refunds, as HTTP: the Idempotency-Key is the
 * refundId; the body is `amount` (left out: everything still refundable) and
 * `reason`. Only a payment the caller submitted can be refunded (anyone
 * else's is a 404 like an unknown one); core/refunds/request.ts decides,
 * records and publishes RefundRequested under the caller's own source, and
 * the refund intake starts the refund saga.
 */
export const MAX_REFUND_BODY_BYTES = 8 * 1024;

export interface RefundSubmitInput {
  readonly idempotencyKey: string | undefined;
  readonly paymentId: string;
  readonly body: string | null | undefined;
  readonly now: Date;
}

export type RefundSubmission = { readonly ok: true; readonly refund: RefundRequested } | Refusal;

/**
 * Puts one RefundRequested (canonical JSON detail) on the bus under the client's source. Throws
 * PublishFailedError (transient: retry) or PublishRefusedError (needs the operator), as api-submit's.
 */
export type PublishRefundRequested = (source: string, detail: string) => Promise<unknown>;

export interface RefundSubmitDeps extends OwnedPaymentDeps {
  readonly refunds: RefundRequestDeps['refunds'];
  readonly publish: PublishRefundRequested;
  readonly executionArnOf: RefundRequestDeps['executionArnOf'];
  readonly now: () => Date;
}

const header = `header:${API.idempotencyHeader}`;

const invalid = (detail: string, errors: FieldError[]): Refusal => ({
  ok: false,
  response: problem(400, 'invalid_request', 'Invalid refund request', detail, errors),
});

function checkIds(key: string | undefined, paymentId: string): Refusal | undefined {
  if (key === undefined || key === '') {
    return invalid(`the ${API.idempotencyHeader} header is required; use the refundId`, [
      { path: header, message: 'required' },
    ]);
  }
  if (containsPan(key)) return cardDataRefused([header]);
  const keyCheck = RefundId.safeParse(key);
  if (!keyCheck.success) {
    return invalid(`the ${API.idempotencyHeader} header is not a valid refundId`, [
      { path: header, message: keyCheck.error.issues[0]?.message ?? 'invalid' },
    ]);
  }
  if (containsPan(paymentId)) return cardDataRefused(['path:paymentId']);
  return undefined;
}

/** Validates the request: the key (= refundId), then the body; card data first, reported by path only. */
export function parseRefundSubmission(input: RefundSubmitInput): RefundSubmission {
  const badIds = checkIds(input.idempotencyKey, input.paymentId);
  if (badIds) return badIds;
  const key = input.idempotencyKey as string;
  const body = parseJsonObject(input.body ?? '', {
    maxBytes: MAX_REFUND_BODY_BYTES,
    invalid,
    objectDetail: 'the body must be an object: { amount?, reason }',
  });
  if (!body.ok) return body;
  if (body.value.refundId !== undefined && body.value.refundId !== key) {
    return invalid(`refundId must equal the ${API.idempotencyHeader} header`, [
      { path: 'refundId', message: `must equal the ${API.idempotencyHeader} header` },
    ]);
  }
  const sent = RefundBody.safeParse(body.value);
  if (!sent.success) return invalid('not a valid refund request', fieldErrors(sent.error));
  const refund = RefundRequestedV1.safeParse({
    schemaVersion: '1',
    refundId: key,
    paymentId: input.paymentId,
    ...(sent.data.amount && { amount: sent.data.amount }),
    reason: sent.data.reason,
    requestedAt: input.now.toISOString(),
  });
  // The body is valid by now; only the path's paymentId can fail, and a malformed one names no payment.
  if (!refund.success) return { ok: false, response: paymentNotFound() };
  return { ok: true, refund: refund.data };
}

export const refundStatusPath = (paymentId: string, refundId: string): string =>
  API.routes.getRefund.path
    .replace('{paymentId}', encodeURIComponent(paymentId))
    .replace('{refundId}', encodeURIComponent(refundId));

function accepted(record: RefundRecord, replayed: boolean): HttpResponse {
  const location = refundStatusPath(record.paymentId, record.refundId);
  const body: RefundAcceptedResponse = {
    refundId: record.refundId,
    paymentId: record.paymentId,
    status: 'ACCEPTED',
    acceptedAt: record.createdAt,
    statusUrl: location,
  };
  return json(202, body, { location, ...(replayed && { 'idempotent-replayed': 'true' }) });
}

/** A 409 with its RFC 9457 extension members (the payment's status, the amount still refundable). */
function conflict(code: string, title: string, detail: string, extra: Partial<RefundProblem>): HttpResponse {
  const base = problem(409, code, title, detail);
  return { ...base, body: JSON.stringify({ ...JSON.parse(base.body), ...extra }) };
}

const shown = (amount: AmountView): string =>
  isCurrency(amount.currency)
    ? formatMoney(amount.value, amount.currency)
    : `${amount.value} minor units of ${amount.currency}`;

export const paymentNotRefundable = (status: string): HttpResponse =>
  conflict(
    'payment_not_refundable',
    'Payment not refundable',
    `the payment is ${status}; only a SUCCEEDED payment can be refunded`,
    { paymentStatus: status },
  );

/** The answer for each refusal of core/refunds/request.ts. */
function refused(result: Exclude<RefundRequestResult, { kind: 'accepted' }>): HttpResponse {
  switch (result.kind) {
    case 'payment_not_found':
      return paymentNotFound();
    case 'invalid':
      return problem(400, 'invalid_request', 'Invalid refund request', 'not a valid refund of this payment', [
        { path: result.path, message: result.message },
      ]);
    case 'idempotency_conflict':
      return problem(
        409,
        'idempotency_key_reused',
        'Idempotency-Key reused with a different request',
        `${API.idempotencyHeader} ${result.refundId} was used for a different refund of this payment; a new refund needs a new key`,
      );
    case 'not_refundable':
      return paymentNotRefundable(result.status);
    case 'exceeds_refundable':
      return conflict(
        'refund_exceeds_refundable',
        'Refund exceeds what is refundable',
        `${shown(result.refundable)} of this payment is still refundable`,
        { refundable: result.refundable },
      );
  }
}

function notPublished(error: unknown): HttpResponse {
  if (error instanceof PublishRefusedError) {
    return problem(
      500,
      'publish_refused',
      'Refund request refused by the event bus',
      'the request is recorded but the event bus refused it; the operator has to fix the bus or its policy',
    );
  }
  if (!(error instanceof PublishFailedError)) throw error;
  return problem(
    503,
    'not_published_yet',
    'Refund request not published yet',
    'the request is recorded but could not be put on the event bus; retry with the same Idempotency-Key',
  );
}

/**
 * POST /v1/payments/{paymentId}/refunds. The same key and body answer the same
 * 202 (Idempotent-Replayed) and publish again only while the saga has not
 * begun; the same key with another body answers 409.
 */
export async function submitRefund(
  deps: RefundSubmitDeps,
  client: ApiClient,
  input: Omit<RefundSubmitInput, 'now'>,
): Promise<HttpResponse> {
  const submission = parseRefundSubmission({ ...input, now: deps.now() });
  if (!submission.ok) return submission.response;
  const { refund } = submission;
  const owned = await ownedPayment(deps, client.clientId, refund.paymentId);
  if (!owned) return paymentNotFound();
  if (owned.kind === 'rejected') return paymentNotRefundable('REJECTED');
  const { record } = owned;
  if (!record) return paymentNotRefundable('ACCEPTED');
  try {
    const result = await requestRefund(
      {
        refunds: deps.refunds,
        payments: { get: async () => record },
        publish: (detail) => deps.publish(client.source, detail),
        executionArnOf: deps.executionArnOf,
      },
      refund,
      client.clientId,
    );
    return result.kind === 'accepted' ? accepted(result.record, result.replayed) : refused(result);
  } catch (error) {
    return notPublished(error);
  }
}
