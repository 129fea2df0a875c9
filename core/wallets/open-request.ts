import { createHash } from 'node:crypto';
import { RESERVED_KEYS, reservedKeyPaths } from '../../events/common';
import { canonicalJson } from '../canonical-json';
import { API } from '../config/names';
import { type FieldError, type HttpResponse, problem } from '../frontdoor/http';
import {
  cardDataRefused,
  clip,
  fieldErrors,
  isPlainObject,
  MAX_BODY_BYTES,
  MAX_FIELD_ERRORS,
} from '../frontdoor/submit-request';
import { containsPan, findPanPaths } from '../pan';
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
  | { readonly ok: false; readonly response: HttpResponse };

const header = `header:${API.idempotencyHeader}`;

export function invalidWalletRequest(detail: string, errors: FieldError[]): HttpResponse {
  return problem(400, 'invalid_request', 'Invalid wallet request', detail, errors);
}

const refused = (detail: string, errors: FieldError[]): OpenWalletRequest => ({
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
  const text = input.body ?? '';
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
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
    parsed = JSON.parse(text);
  } catch {
    return refused('the body is not JSON', [{ path: '(body)', message: 'not JSON' }]);
  }
  const panPaths = findPanPaths(parsed);
  if (panPaths.length > 0) return cardDataRefused(panPaths);
  if (containsPan(text)) return cardDataRefused(['(body)']);
  const reserved = reservedKeyPaths(parsed);
  if (reserved.length > 0) {
    return refused(
      `${RESERVED_KEYS.join(', ')} are not accepted as keys`,
      reserved.slice(0, MAX_FIELD_ERRORS).map((path) => ({ path: clip(path), message: 'reserved key' })),
    );
  }
  if (!isPlainObject(parsed)) {
    return refused('the body must be an object', [{ path: '(body)', message: 'expected an object' }]);
  }
  const body = OpenWalletBody.safeParse(parsed);
  if (!body.success) return refused('not a valid wallet request', fieldErrors(body.error));
  return {
    ok: true,
    key,
    body: body.data,
    clientHash: createHash('sha256').update(canonicalJson(body.data)).digest('hex'),
  };
}
