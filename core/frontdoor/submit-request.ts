import '../config/zod-locale';
import { createHash } from 'node:crypto';
import type * as z from 'zod/mini';
import { PaymentId, RESERVED_KEYS, reservedKeyPaths } from '../../events/common';
import { DETAIL_TYPES } from '../../events/envelope';
import { type PaymentRequested, PaymentRequestedV1 } from '../../events/payment-requested.v1';
import { canonicalJson } from '../canonical-json';
import { API } from '../config/names';
import { stripeAmountProblem } from '../gateway/stripe-units';
import { money } from '../money';
import { containsPan, findPanPaths } from '../pan';
import { type FieldError, type HttpResponse, problem } from './http';

/** Far above the largest valid request (~16 KB); anything bigger is refused before it is parsed. */
export const MAX_BODY_BYTES = 32 * 1024;
export const MAX_FIELD_ERRORS = 20;
const MAX_TEXT = 200;

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

export type Submission = ValidSubmission | { readonly ok: false; readonly response: HttpResponse };

const header = `header:${API.idempotencyHeader}`;
export const clip = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

function invalid(detail: string, errors: FieldError[]): Submission {
  return { ok: false, response: problem(400, 'invalid_request', 'Invalid payment request', detail, errors) };
}

export function cardDataRefused(paths: readonly string[]): {
  readonly ok: false;
  readonly response: HttpResponse;
} {
  return {
    ok: false,
    response: problem(
      400,
      'card_data_refused',
      'Card data refused',
      'paysaga never accepts card numbers: send a gateway payment-method token (pm_...) instead',
      paths.slice(0, MAX_FIELD_ERRORS).map((path) => ({
        path: clip(path),
        message: 'looks like a card number (PAN)',
      })),
    ),
  };
}

export function fieldErrors(error: z.core.$ZodError): FieldError[] {
  return error.issues.slice(0, MAX_FIELD_ERRORS).map((issue) => ({
    path: clip(issue.path.map(String).join('.') || '(body)'),
    message: clip(issue.message),
  }));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  const body = input.body ?? '';
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    return {
      ok: false,
      response: problem(
        413,
        'payload_too_large',
        'Payload too large',
        `the body is larger than ${MAX_BODY_BYTES} bytes`,
      ),
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return invalid('the body is not JSON', [{ path: '(body)', message: 'not JSON' }]);
  }
  const panPaths = findPanPaths(parsed);
  if (panPaths.length > 0) return cardDataRefused(panPaths);
  // A card number written as a JSON number past 2^53 loses digits in JSON.parse; the text still has them.
  if (containsPan(body)) return cardDataRefused(['(body)']);
  // Checked on the parsed JSON, before zod: a record schema silently drops a "__proto__" key.
  const reserved = reservedKeyPaths(parsed);
  if (reserved.length > 0) {
    return invalid(
      `${RESERVED_KEYS.join(', ')} are not accepted as keys`,
      reserved.slice(0, MAX_FIELD_ERRORS).map((path) => ({ path: clip(path), message: 'reserved key' })),
    );
  }
  if (!isPlainObject(parsed)) {
    return invalid(`the body must be a ${DETAIL_TYPES.paymentRequested} v1 object`, [
      { path: '(body)', message: 'expected an object' },
    ]);
  }
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
