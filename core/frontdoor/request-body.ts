import type * as z from 'zod/mini';
import { RESERVED_KEYS, reservedKeyPaths } from '../../events/common';
import { containsPan, findPanPaths } from '../pan';
import { type FieldError, type HttpResponse, problem } from './http';

/**
 * What every POST body of the front door goes through before its route's contract (payments, top-ups,
 * refunds, wallets): its size, JSON, card data (by path, never echoed), reserved keys, an object. The
 * order is the refusal sequence: card data is looked for before anything that could quote the body.
 */

/** At most this many field errors in one problem response. */
export const MAX_FIELD_ERRORS = 20;
const MAX_TEXT = 200;

/** A refused request: the problem response to send. */
export type Refusal = { readonly ok: false; readonly response: HttpResponse };

export const clip = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

export function cardDataRefused(paths: readonly string[]): Refusal {
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

export interface BodyRules {
  readonly maxBytes: number;
  /** The route's own 400 (its title: "Invalid payment request", ...). */
  readonly invalid: (detail: string, errors: FieldError[]) => Refusal;
  /** The detail when the body is JSON but no object, e.g. "the body must be an object: { amount?, reason }". */
  readonly objectDetail: string;
}

/** The body as a JSON object, or the refusal the first failed check gives. */
export function parseJsonObject(
  text: string,
  rules: BodyRules,
): { readonly ok: true; readonly value: Record<string, unknown> } | Refusal {
  if (Buffer.byteLength(text) > rules.maxBytes) {
    return {
      ok: false,
      response: problem(
        413,
        'payload_too_large',
        'Payload too large',
        `the body is larger than ${rules.maxBytes} bytes`,
      ),
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return rules.invalid('the body is not JSON', [{ path: '(body)', message: 'not JSON' }]);
  }
  const panPaths = findPanPaths(parsed);
  if (panPaths.length > 0) return cardDataRefused(panPaths);
  // A card number written as a JSON number past 2^53 loses digits in JSON.parse; the text still has them.
  if (containsPan(text)) return cardDataRefused(['(body)']);
  // Checked on the parsed JSON, before zod: a record schema silently drops a "__proto__" key.
  const reserved = reservedKeyPaths(parsed);
  if (reserved.length > 0) {
    return rules.invalid(
      `${RESERVED_KEYS.join(', ')} are not accepted as keys`,
      reserved.slice(0, MAX_FIELD_ERRORS).map((path) => ({ path: clip(path), message: 'reserved key' })),
    );
  }
  if (!isPlainObject(parsed)) {
    return rules.invalid(rules.objectDetail, [{ path: '(body)', message: 'expected an object' }]);
  }
  return { ok: true, value: parsed };
}
