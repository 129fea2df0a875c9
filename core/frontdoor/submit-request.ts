import '../config/zod-locale';
import { createHash } from 'node:crypto';
import { PaymentId } from '../../events/common';
import { DETAIL_TYPES } from '../../events/envelope';
import { type PaymentRequested, PaymentRequestedV1 } from '../../events/payment-requested.v1';
import { canonicalJson } from '../canonical-json';
import { API } from '../config/names';
import { stripeAmountProblem } from '../gateway/stripe-units';
import { money } from '../money';
import { containsPan } from '../pan';
import { type FieldError, problem } from './http';
import { cardDataRefused, fieldErrors, parseJsonObject, type Refusal } from './request-body';

/** Far above the largest valid request (~16 KB); anything bigger is refused before it is parsed. */
export const MAX_BODY_BYTES = 32 * 1024;

export interface SubmitInput {
  readonly idempotencyKey: string | undefined;
  readonly body: string | null | undefined;
  readonly now: Date;
}

export interface ValidSubmission {
  readonly ok: true;
  /** The request with its defaults filled in: what goes on the bus, and again on a retry. */
  readonly payment: PaymentRequested;
  /** sha256 of what the client sent (paymentId included, defaults not): equal for a faithful retry. */
  readonly clientHash: string;
}

export type Submission = ValidSubmission | Refusal;

const header = `header:${API.idempotencyHeader}`;
function invalid(detail: string, errors: FieldError[]): Refusal {
  return { ok: false, response: problem(400, 'invalid_request', 'Invalid payment request', detail, errors) };
}

/**
 * Validates POST /v1/payments: the Idempotency-Key header, then the body as
 * the PaymentRequested v1 detail with the same zod schema intake uses. Card
 * data is looked for first and reported by path only, so no card number
 * reaches an error message or a log line.
 */
export function parseSubmission(input: SubmitInput): Submission {
  const key = input.idempotencyKey;
  if (key === undefined || key === '') {
    return invalid(`the ${API.idempotencyHeader} header is required; use the paymentId`, [
      { path: header, message: 'required' },
    ]);
  }
  if (containsPan(key)) return cardDataRefused([header]);
  const keyCheck = PaymentId.safeParse(key);
  if (!keyCheck.success) {
    return invalid(`the ${API.idempotencyHeader} header is not a valid paymentId`, [
      { path: header, message: keyCheck.error.issues[0]?.message ?? 'invalid' },
    ]);
  }
  const body = parseJsonObject(input.body ?? '', {
    maxBytes: MAX_BODY_BYTES,
    invalid,
    objectDetail: `the body must be a ${DETAIL_TYPES.paymentRequested} v1 object`,
  });
  if (!body.ok) return body;
  const parsed = body.value;
  if (parsed.paymentId !== undefined && parsed.paymentId !== key) {
    return invalid(`paymentId must equal the ${API.idempotencyHeader} header`, [
      { path: 'paymentId', message: `must equal the ${API.idempotencyHeader} header` },
    ]);
  }
  // Spread copies own properties only (a "__proto__" key stays a plain key and is refused as unknown).
  const sent = { ...parsed, paymentId: key };
  const candidate = { schemaVersion: '1', requestedAt: input.now.toISOString(), ...sent };
  const payment = PaymentRequestedV1.safeParse(candidate);
  if (!payment.success) {
    return invalid(`not a valid ${DETAIL_TYPES.paymentRequested} v1 request`, fieldErrors(payment.error));
  }
  // Refused before it is accepted: an amount the gateway cannot take would otherwise fail at Charge.
  const amountProblem = stripeAmountProblem(money(payment.data.amount.value, payment.data.amount.currency));
  if (amountProblem) {
    return invalid(`the gateway cannot take this amount`, [{ path: 'amount.value', message: amountProblem }]);
  }
  return {
    ok: true,
    payment: payment.data,
    clientHash: createHash('sha256').update(canonicalJson(sent)).digest('hex'),
  };
}
