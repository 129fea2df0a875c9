import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { API } from '../config/names';
import { type FieldError, type HttpResponse, problem } from '../frontdoor/http';
import { cardDataRefused, fieldErrors, parseJsonObject, type Refusal } from '../frontdoor/request-body';
import { MAX_BODY_BYTES } from '../frontdoor/submit-request';
import { containsPan } from '../pan';
import { OpenWalletBody, WalletIdempotencyKey } from './contract';

export interface OpenWalletInput {
  readonly idempotencyKey: string | undefined;
  readonly body: string | null | undefined;
}

export type OpenWalletRequest =
  | {
      readonly ok: true;
      readonly key: string;
      readonly body: OpenWalletBody;
      /** sha256 of what the client sent: equal for a faithful retry. */
      readonly clientHash: string;
    }
  | Refusal;

const header = `header:${API.idempotencyHeader}`;

export function invalidWalletRequest(detail: string, errors: FieldError[]): HttpResponse {
  return problem(400, 'invalid_request', 'Invalid wallet request', detail, errors);
}

const refused = (detail: string, errors: FieldError[]): Refusal => ({
  ok: false,
  response: invalidWalletRequest(detail, errors),
});

/**
 * Validates POST /v1/wallets with the same care as a payment: the key, the
 * body's size, card data (by path, never echoed), reserved keys, then the
 * zod contract (walletId pattern, ISO 4217 currency).
 */
export function parseOpenWallet(input: OpenWalletInput): OpenWalletRequest {
  const key = input.idempotencyKey;
  if (key === undefined || key === '') {
    return refused(`the ${API.idempotencyHeader} header is required`, [
      { path: header, message: 'required' },
    ]);
  }
  if (containsPan(key)) return cardDataRefused([header]);
  const keyCheck = WalletIdempotencyKey.safeParse(key);
  if (!keyCheck.success) {
    return refused(`the ${API.idempotencyHeader} header is not valid`, [
      { path: header, message: 'must be 1-64 letters, digits, "-" or "_"' },
    ]);
  }
  const parsed = parseJsonObject(input.body ?? '', {
    maxBytes: MAX_BODY_BYTES,
    invalid: refused,
    objectDetail: 'the body must be an object',
  });
  if (!parsed.ok) return parsed;
  const body = OpenWalletBody.safeParse(parsed.value);
  if (!body.success) return refused('not a valid wallet request', fieldErrors(body.error));
  return {
    ok: true,
    key,
    body: body.data,
    clientHash: createHash('sha256').update(canonicalJson(body.data)).digest('hex'),
  };
}
