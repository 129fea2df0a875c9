import '../config/zod-locale';
import { createHash } from 'node:crypto';
import { WalletId } from '../../events/common';
import { TopUpId, type TopUpRequested, TopUpRequestedV1 } from '../../events/top-ups.v1';
import { canonicalJson } from '../canonical-json';
import { API } from '../config/names';
import { type FieldError, problem } from '../frontdoor/http';
import { cardDataRefused, fieldErrors, parseJsonObject, type Refusal } from '../frontdoor/request-body';
import { stripeAmountProblem } from '../gateway/stripe-units';
import { money } from '../money';
import { containsPan } from '../pan';

/**
 * Validates POST /v1/wallets/{walletId}/top-ups with the care of POST
 * /v1/payments: the Idempotency-Key (= topUpId), the path's walletId, then the
 * body against TopUpRequested v1 (what the top-up intake validates again).
 * Card data is looked for first and reported by path only.
 */
export const MAX_TOP_UP_BODY_BYTES = 16 * 1024;

export interface TopUpSubmitInput {
  readonly idempotencyKey: string | undefined;
  readonly walletId: string | undefined;
  readonly body: string | null | undefined;
  readonly now: Date;
}

export type TopUpSubmission =
  | { readonly ok: true; readonly topUp: TopUpRequested; readonly clientHash: string }
  | Refusal;

const header = `header:${API.idempotencyHeader}`;
const invalid = (detail: string, errors: FieldError[]): Refusal => ({
  ok: false,
  response: problem(400, 'invalid_request', 'Invalid top-up request', detail, errors),
});

function checkIds(key: string | undefined, walletId: string | undefined): TopUpSubmission | undefined {
  if (key === undefined || key === '') {
    return invalid(`the ${API.idempotencyHeader} header is required; use the topUpId`, [
      { path: header, message: 'required' },
    ]);
  }
  if (containsPan(key)) return cardDataRefused([header]);
  const keyCheck = TopUpId.safeParse(key);
  if (!keyCheck.success) {
    return invalid(`the ${API.idempotencyHeader} header is not a valid topUpId`, [
      { path: header, message: keyCheck.error.issues[0]?.message ?? 'invalid' },
    ]);
  }
  if (walletId !== undefined && containsPan(walletId)) return cardDataRefused(['path:walletId']);
  const walletCheck = WalletId.safeParse(walletId);
  if (!walletCheck.success) {
    return invalid('the walletId in the path is not valid', [
      { path: 'path:walletId', message: walletCheck.error.issues[0]?.message ?? 'invalid' },
    ]);
  }
  return undefined;
}

export function parseTopUpSubmission(input: TopUpSubmitInput): TopUpSubmission {
  const badIds = checkIds(input.idempotencyKey, input.walletId);
  if (badIds) return badIds;
  const key = input.idempotencyKey as string;
  const body = parseJsonObject(input.body ?? '', {
    maxBytes: MAX_TOP_UP_BODY_BYTES,
    invalid,
    objectDetail: 'the body must be an object: { amount, paymentMethod }',
  });
  if (!body.ok) return body;
  const parsed = body.value;
  if (parsed.topUpId !== undefined && parsed.topUpId !== key) {
    return invalid(`topUpId must equal the ${API.idempotencyHeader} header`, [
      { path: 'topUpId', message: `must equal the ${API.idempotencyHeader} header` },
    ]);
  }
  if ('walletId' in parsed) {
    return invalid('the walletId is the one in the path', [
      { path: 'walletId', message: 'not accepted in the body' },
    ]);
  }
  const sent = { ...parsed, topUpId: key, walletId: input.walletId };
  const topUp = TopUpRequestedV1.safeParse({
    schemaVersion: '1',
    requestedAt: input.now.toISOString(),
    ...sent,
  });
  if (!topUp.success) return invalid('not a valid top-up request', fieldErrors(topUp.error));
  // Refused before it is accepted: an amount the gateway cannot take would otherwise fail at Charge.
  const amountProblem = stripeAmountProblem(money(topUp.data.amount.value, topUp.data.amount.currency));
  if (amountProblem) {
    return invalid('the gateway cannot take this amount', [{ path: 'amount.value', message: amountProblem }]);
  }
  return {
    ok: true,
    topUp: topUp.data,
    clientHash: createHash('sha256').update(canonicalJson(sent)).digest('hex'),
  };
}
