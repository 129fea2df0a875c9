import { type StripeUse, stripeUnitsProblem } from '../../core/gateway/stripe-units';
import { CURRENCY_EXPONENTS, type Currency } from '../../core/money';
import { type FormObject, objectParam, stringMap, stringParam } from './form';
import { newestFirst, newId, type PaymentIntentObject, type RefundObject, type SandboxStore } from './store';
import { behaviourOf } from './test-methods';

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface StripeErrorBody {
  readonly type:
    | 'card_error'
    | 'invalid_request_error'
    | 'api_error'
    | 'idempotency_error'
    | 'rate_limit_error';
  readonly message: string;
  readonly code?: string;
  readonly decline_code?: string;
  readonly param?: string;
  readonly payment_intent?: PaymentIntentObject;
}

export function stripeError(status: number, error: StripeErrorBody): ApiResponse {
  return { status, body: { error } };
}

const invalid = (message: string, code: string, param?: string): ApiResponse =>
  stripeError(400, { type: 'invalid_request_error', message, code, ...(param ? { param } : {}) });

const LIST_LIMIT_DEFAULT = 10;
const LIST_LIMIT_MAX = 100;

function parseAmount(params: FormObject): number | ApiResponse {
  const text = stringParam(params, 'amount');
  if (text === undefined) return invalid('Missing required param: amount.', 'parameter_missing', 'amount');
  if (!/^\d+$/.test(text)) return invalid('Invalid integer: amount.', 'parameter_invalid_integer', 'amount');
  const amount = Number(text);
  if (amount < 1)
    return invalid('This value must be greater than or equal to 1.', 'amount_too_small', 'amount');
  return amount;
}

/** Stripe's currency rules (docs.stripe.com/currencies, encoded in core/gateway/stripe-units.ts), enforced. */
function checkUnits(amount: number, currency: string, use: StripeUse): number | ApiResponse {
  const problem = stripeUnitsProblem(amount, currency.toUpperCase() as Currency, use);
  return problem ? invalid(`Invalid amount: ${problem.reason}.`, problem.code, 'amount') : amount;
}

/** created[gt|gte|lt|lte] filter; undefined when absent, an error response when malformed. */
function createdFilter(params: FormObject): ((created: number) => boolean) | ApiResponse {
  const range = objectParam(params, 'created');
  const exact = stringParam(params, 'created');
  const bounds: Array<[string, (a: number, b: number) => boolean]> = [
    ['gt', (a, b) => a > b],
    ['gte', (a, b) => a >= b],
    ['lt', (a, b) => a < b],
    ['lte', (a, b) => a <= b],
  ];
  const checks: Array<(created: number) => boolean> = [];
  if (exact !== undefined) {
    if (!/^\d+$/.test(exact))
      return invalid('Invalid integer: created.', 'parameter_invalid_integer', 'created');
    checks.push((created) => created === Number(exact));
  }
  for (const [name, compare] of bounds) {
    const text = range?.[name];
    if (text === undefined) continue;
    if (typeof text !== 'string' || !/^\d+$/.test(text)) {
      return invalid(`Invalid integer: created[${name}].`, 'parameter_invalid_integer', `created[${name}]`);
    }
    checks.push((created) => compare(created, Number(text)));
  }
  return (created) => checks.every((check) => check(created));
}

function parseLimit(params: FormObject): number | ApiResponse {
  const text = stringParam(params, 'limit');
  if (text === undefined) return LIST_LIMIT_DEFAULT;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > LIST_LIMIT_MAX) {
    return invalid(
      `limit must be an integer from 1 to ${LIST_LIMIT_MAX}.`,
      'parameter_invalid_integer',
      'limit',
    );
  }
  return limit;
}

/** One page of a newest-first list, Stripe style (`starting_after` = last id of the previous page). */
function listPage<T extends { id: string; created: number }>(
  items: readonly T[],
  params: FormObject,
  url: string,
): ApiResponse {
  const limit = parseLimit(params);
  if (typeof limit !== 'number') return limit;
  const filter = createdFilter(params);
  if (typeof filter !== 'function') return filter;
  const sorted = newestFirst(items.filter((item) => filter(item.created)));
  const after = stringParam(params, 'starting_after');
  let start = 0;
  if (after !== undefined) {
    const index = sorted.findIndex((item) => item.id === after);
    if (index < 0) return invalid(`No such object: '${after}'`, 'resource_missing', 'starting_after');
    start = index + 1;
  }
  const data = sorted.slice(start, start + limit);
  return { status: 200, body: { object: 'list', data, has_more: start + limit < sorted.length, url } };
}

const SEARCH_BY_METADATA = /^metadata\['([A-Za-z0-9_.-]+)'\]\s*:\s*'((?:[^'\\]|\\.)*)'$/;

/** The Stripe REST endpoints the adapter uses, over the sandbox store. */
export class StripeApi {
  constructor(
    private readonly store: SandboxStore,
    /** Stripe's search "can lag writes by up to about a minute": intents younger than this are not found. */
    public searchLagMs = 0,
  ) {}

  /** pm_sandbox_processing_<n>: the reads of each intent still to answer `processing` (in memory only). */
  private readonly processingReads = new Map<string, number>();

  createPaymentIntent(params: FormObject): ApiResponse {
    const amount = parseAmount(params);
    if (typeof amount !== 'number') return amount;
    const currency = stringParam(params, 'currency');
    if (
      !currency ||
      !Object.hasOwn(CURRENCY_EXPONENTS, currency.toUpperCase()) ||
      currency !== currency.toLowerCase()
    ) {
      return invalid(`Invalid currency: ${currency ?? '(missing)'}.`, 'parameter_invalid_string', 'currency');
    }
    const allowed = checkUnits(amount, currency, 'charge');
    if (typeof allowed !== 'number') return allowed;
    const paymentMethod = stringParam(params, 'payment_method');
    if (!paymentMethod)
      return invalid('Missing required param: payment_method.', 'parameter_missing', 'payment_method');
    if (stringParam(params, 'confirm') !== 'true') {
      return invalid('The sandbox only supports confirm=true.', 'parameter_invalid_string', 'confirm');
    }
    const behaviour = behaviourOf(paymentMethod);
    if (!behaviour)
      return invalid(`No such PaymentMethod: '${paymentMethod}'`, 'resource_missing', 'payment_method');

    const base: PaymentIntentObject = {
      id: newId('pi'),
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency,
      status: 'requires_payment_method',
      created: this.store.nowSeconds(),
      description: stringParam(params, 'description') ?? null,
      metadata: stringMap(objectParam(params, 'metadata')),
      payment_method: paymentMethod,
      latest_charge: null,
      capture_method: 'automatic',
      confirmation_method: 'automatic',
      allowed_payment_method_types: ['card'],
      last_payment_error: null,
      livemode: false,
    };
    if (behaviour.kind === 'declinecharged') {
      // Charges made for this payment by requests the caller never saw (another key, a lost answer).
      for (let n = 0; n < behaviour.charges; n++) {
        this.store.saveIntent({
          ...base,
          id: newId('pi'),
          status: 'succeeded',
          amount_received: amount,
          latest_charge: newId('ch'),
        });
      }
    }
    if (behaviour.kind === 'decline' || behaviour.kind === 'declinecharged') {
      const error = {
        type: 'card_error',
        code: 'card_declined',
        decline_code: behaviour.kind === 'decline' ? behaviour.declineCode : 'generic_decline',
        message: behaviour.kind === 'decline' ? behaviour.message : 'Your card was declined.',
      } as const;
      const intent = this.store.saveIntent({
        ...base,
        latest_charge: newId('ch'),
        last_payment_error: error,
      });
      return stripeError(402, { ...error, payment_intent: intent });
    }
    if (behaviour.kind === 'processing') {
      const intent = this.store.saveIntent({ ...base, status: 'processing', latest_charge: newId('ch') });
      this.processingReads.set(intent.id, behaviour.reads);
      return { status: 200, body: intent };
    }
    const intent = this.store.saveIntent({
      ...base,
      status: 'succeeded',
      amount_received: amount,
      latest_charge: newId('ch'),
    });
    return { status: 200, body: intent };
  }

  retrievePaymentIntent(id: string): ApiResponse {
    const intent = this.store.intent(id);
    if (!intent)
      return stripeError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such payment_intent: '${id}'`,
      });
    const reads = this.processingReads.get(id);
    if (reads === undefined) return { status: 200, body: intent };
    if (reads > 0) {
      this.processingReads.set(id, reads - 1);
      return { status: 200, body: intent };
    }
    this.processingReads.delete(id);
    const settled = this.store.saveIntent({ ...intent, status: 'succeeded', amount_received: intent.amount });
    return { status: 200, body: settled };
  }

  listPaymentIntents(params: FormObject): ApiResponse {
    return listPage(this.store.allIntents(), params, '/v1/payment_intents');
  }

  /** Only the query the adapter sends: metadata['key']:'value'. */
  searchPaymentIntents(params: FormObject): ApiResponse {
    const query = stringParam(params, 'query') ?? '';
    const match = SEARCH_BY_METADATA.exec(query.trim());
    if (!match) {
      return invalid(
        "The sandbox supports only queries of the form metadata['key']:'value'.",
        'parameter_invalid_string',
        'query',
      );
    }
    const [, key = '', quoted = ''] = match;
    const value = quoted.replace(/\\(.)/g, '$1');
    const limit = parseLimit(params);
    if (typeof limit !== 'number') return limit;
    const page = stringParam(params, 'page');
    const offset = page ? Number.parseInt(Buffer.from(page, 'base64url').toString('utf8'), 10) || 0 : 0;
    const searchable = (intent: PaymentIntentObject) =>
      this.store.now() - intent.created * 1000 >= this.searchLagMs;
    const hits = newestFirst(
      this.store.allIntents().filter((intent) => intent.metadata[key] === value && searchable(intent)),
    );
    const data = hits.slice(offset, offset + limit);
    const hasMore = offset + limit < hits.length;
    return {
      status: 200,
      body: {
        object: 'search_result',
        data,
        has_more: hasMore,
        next_page: hasMore ? Buffer.from(String(offset + limit)).toString('base64url') : null,
        url: '/v1/payment_intents/search',
      },
    };
  }

  /** 500 for charges made with pm_sandbox_refundfail: the "compensation keeps failing" case. */
  createRefund(params: FormObject): ApiResponse {
    const intentId = stringParam(params, 'payment_intent');
    if (!intentId)
      return invalid('Missing required param: payment_intent.', 'parameter_missing', 'payment_intent');
    const intent = this.store.intent(intentId);
    if (!intent)
      return invalid(`No such payment_intent: '${intentId}'`, 'resource_missing', 'payment_intent');
    if (intent.status !== 'succeeded') {
      return invalid(
        `PaymentIntent ${intentId} has no successful charge to refund (status ${intent.status}).`,
        'payment_intent_unexpected_state',
        'payment_intent',
      );
    }
    if (intent.payment_method === 'pm_sandbox_refundfail') {
      return stripeError(500, {
        type: 'api_error',
        message: 'An unknown error occurred while refunding (sandbox refundfail).',
      });
    }
    const remaining = intent.amount - this.store.refundedAmount(intentId);
    if (remaining <= 0) {
      return invalid(`Charge ${intent.latest_charge} has already been refunded.`, 'charge_already_refunded');
    }
    let amount = remaining;
    if (stringParam(params, 'amount') !== undefined) {
      const parsed = parseAmount(params);
      if (typeof parsed !== 'number') return parsed;
      const asked = checkUnits(parsed, intent.currency, 'refund');
      if (typeof asked !== 'number') return asked;
      if (asked > remaining) {
        return invalid(
          `Refund amount (${asked}) is greater than unrefunded amount on charge (${remaining}).`,
          'amount_too_large',
          'amount',
        );
      }
      amount = asked;
    }
    const refund = this.store.saveRefund({
      id: newId('re'),
      object: 'refund',
      amount,
      currency: intent.currency,
      payment_intent: intentId,
      charge: intent.latest_charge,
      status: 'succeeded',
      created: this.store.nowSeconds(),
      metadata: stringMap(objectParam(params, 'metadata')),
      reason: stringParam(params, 'reason') ?? null,
    });
    return { status: 200, body: refund };
  }

  retrieveRefund(id: string): ApiResponse {
    const refund = this.store.allRefunds().find((candidate) => candidate.id === id);
    if (!refund)
      return stripeError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such refund: '${id}'`,
      });
    return { status: 200, body: refund };
  }

  listRefunds(params: FormObject): ApiResponse {
    const intentId = stringParam(params, 'payment_intent');
    const refunds = this.store
      .allRefunds()
      .filter((refund) => !intentId || refund.payment_intent === intentId);
    return listPage<RefundObject>(refunds, params, '/v1/refunds');
  }
}
