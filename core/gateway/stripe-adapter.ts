import { CardDeclinedError, LedgerInvariantError } from '../errors';
import type {
  ChargeRecord,
  ChargeRequest,
  ChargeResult,
  FindChargeOptions,
  FindRefundRequest,
  PaymentGateway,
  Period,
  RefundRecord,
  RefundRequest,
  RefundResult,
} from './port';
import { GatewayChargeProcessingError, GatewayLookupTooLargeError, toPaysagaError } from './stripe-errors';
import { StripeHttpClient } from './stripe-http';
import { StripeRequestError } from './stripe-http-error';
import { chargeFrom, refundFrom } from './stripe-records';
import {
  chargeRequest,
  createdListParams,
  PAGE_SIZE,
  PaymentIntent,
  PaymentIntentPage,
  Refund,
  RefundPage,
  refundRequest,
  STRIPE_PATHS,
  searchByPaymentIdParams,
} from './stripe-resources';
import { toStripeAmount } from './stripe-units';

export interface StripeGatewayOptions {
  readonly apiKey: string;
  /** Only for the local sandbox, e.g. "http://127.0.0.1:4567"; production talks to api.stripe.com. */
  readonly apiBase?: string;
  /**
   * Per-attempt timeout. The Charge Lambda has 30 s: (maxNetworkRetries + 1) attempts of this
   * length plus the client's backoff must fit, or Lambda kills the step mid-request.
   */
  readonly timeoutMs?: number;
  /** The client's own retries, made with the same idempotency key; keep small, the saga retries too. */
  readonly maxNetworkRetries?: number;
  /** Pages of 100 PaymentIntents a findChargeByPaymentId list window may read before giving up (transient). */
  readonly maxLookupPages?: number;
}

export const STRIPE_DEFAULTS = { timeoutMs: 10_000, maxNetworkRetries: 1, maxLookupPages: 20 } as const;

/**
 * Statuses of a PaymentIntent that mean money moved or may still move without further action: what a lookup
 * counts as a charge. `processing` may yet fail, so Charge itself waits for `succeeded` (see charge()).
 */
const MONEY_MOVING = new Set(['succeeded', 'processing']);

export function stripeClient(options: StripeGatewayOptions): StripeHttpClient {
  return new StripeHttpClient({
    apiKey: options.apiKey,
    apiBase: options.apiBase,
    maxNetworkRetries: options.maxNetworkRetries ?? STRIPE_DEFAULTS.maxNetworkRetries,
    timeoutMs: options.timeoutMs ?? STRIPE_DEFAULTS.timeoutMs,
  });
}

const epochOf = (date: Date): number => Math.floor(date.getTime() / 1000);

/** The PaymentGateway over Stripe's REST API (stripe-http.ts). Build once per cold start (see credentials.ts). */
export class StripeGateway implements PaymentGateway {
  constructor(
    private readonly stripe: StripeHttpClient,
    private readonly maxLookupPages: number = STRIPE_DEFAULTS.maxLookupPages,
  ) {}

  async charge({
    paymentId,
    amount,
    paymentMethod,
    description,
    metadata,
  }: ChargeRequest): Promise<ChargeResult> {
    const operation = `charge ${paymentId}`;
    // Refused before the request (InvalidPaymentError): intake and the front door refuse these already.
    const stripeAmount = toStripeAmount(amount, 'charge');
    const { params, idempotencyKey } = chargeRequest({
      paymentId,
      stripeAmount,
      currency: amount.currency,
      paymentMethod,
      description,
      metadata,
    });
    let intent: PaymentIntent;
    try {
      intent = await this.stripe.post(STRIPE_PATHS.paymentIntents, params, idempotencyKey, PaymentIntent);
    } catch (error) {
      throw toPaysagaError(error, operation);
    }
    // An idempotent replay answers the first response, so a `processing` intent is read again for its status now.
    if (intent.status === 'processing') intent = await this.settled(intent, operation);
    if (intent.status !== 'succeeded') {
      // e.g. requires_action (3-D Secure): a saga cannot authenticate the customer, and no money moved.
      throw new CardDeclinedError(
        `${operation}: the gateway left the payment in status ${intent.status}`,
        intent.status === 'requires_action' ? 'authentication_required' : intent.status,
      );
    }
    const { paymentId: _, ...result } = chargeFrom(intent);
    return result;
  }

  /**
   * A `processing` PaymentIntent can still fail: it is no charge to credit or settle on. Its current status,
   * or GatewayChargeProcessingError (retryable, ambiguous) while it is still processing.
   */
  private async settled(intent: PaymentIntent, operation: string): Promise<PaymentIntent> {
    let current: PaymentIntent;
    try {
      current = await this.stripe.get(STRIPE_PATHS.paymentIntent(intent.id), {}, PaymentIntent);
    } catch (error) {
      throw toPaysagaError(error, `${operation}: read ${intent.id}`);
    }
    if (current.status === 'processing') {
      throw new GatewayChargeProcessingError(
        `${operation}: the gateway is still processing charge ${intent.id}; retry until it succeeds or fails`,
      );
    }
    return current;
  }

  async refund({ paymentId, chargeId, amount, refundId }: RefundRequest): Promise<RefundResult> {
    const operation = refundId === undefined ? `refund ${paymentId}` : `refund ${refundId} of ${paymentId}`;
    const stripeAmount = toStripeAmount(amount, 'refund');
    const { params, idempotencyKey } = refundRequest({ paymentId, chargeId, stripeAmount, refundId });
    let refund: Refund;
    try {
      refund = await this.stripe.post(STRIPE_PATHS.refunds, params, idempotencyKey, Refund);
    } catch (error) {
      // A partial refund (refundId) never stands in for another: only the compensation's full refund may.
      const existing =
        refundId === undefined ? await this.alreadyRefunded(error, chargeId, paymentId) : undefined;
      if (existing) return existing;
      throw toPaysagaError(error, operation);
    }
    if (refund.status === 'failed' || refund.status === 'canceled') {
      throw new LedgerInvariantError(
        `${operation}: the gateway reports refund ${refund.id} as ${refund.status}; the charge ${chargeId} still stands`,
      );
    }
    const { paymentId: _, ...result } = refundFrom(refund, paymentId);
    return result;
  }

  /** The charge's refunds (newest first, every page) whose metadata names the refund saga's refundId. */
  async findRefund({ paymentId, chargeId, refundId }: FindRefundRequest): Promise<RefundResult | undefined> {
    try {
      const refunds = this.stripe.list(
        STRIPE_PATHS.refunds,
        { payment_intent: chargeId, limit: PAGE_SIZE },
        RefundPage,
      );
      for await (const refund of refunds) {
        if (refund.metadata?.refundId !== refundId) continue;
        if (refund.status === 'failed' || refund.status === 'canceled') continue;
        const { paymentId: _, ...result } = refundFrom(refund, paymentId);
        return result;
      }
      return undefined;
    } catch (error) {
      throw toPaysagaError(error, `refund ${refundId} of ${paymentId}: list refunds of ${chargeId}`);
    }
  }

  /** A charge refunded out of band (e.g. in the dashboard) is not an error for compensation: report that refund. */
  private async alreadyRefunded(
    error: unknown,
    chargeId: string,
    paymentId: string,
  ): Promise<RefundResult | undefined> {
    if (
      !(error instanceof StripeRequestError) ||
      error.type !== 'StripeInvalidRequestError' ||
      error.code !== 'charge_already_refunded'
    ) {
      return undefined;
    }
    try {
      const page = await this.stripe.get(
        STRIPE_PATHS.refunds,
        { payment_intent: chargeId, limit: PAGE_SIZE },
        RefundPage,
      );
      const done = page.data.find((refund) => refund.status === 'succeeded' || refund.status === 'pending');
      if (!done) return undefined;
      const { paymentId: _, ...result } = refundFrom(done, paymentId);
      return result;
    } catch (listError) {
      throw toPaysagaError(listError, `refund ${paymentId}: list refunds of ${chargeId}`);
    }
  }

  async findChargeByPaymentId(
    paymentId: string,
    options: FindChargeOptions = {},
  ): Promise<ChargeResult | undefined> {
    const operation = `find charge of ${paymentId}`;
    const found = new Map<string, ChargeRecord>();
    const keep = (intent: PaymentIntent) => {
      if (MONEY_MOVING.has(intent.status) && intent.metadata?.paymentId === paymentId) {
        found.set(intent.id, chargeFrom(intent));
      }
    };
    try {
      if (options.createdSince) {
        for (const intent of await this.listWindow(options.createdSince, options.createdUntil, operation))
          keep(intent);
      }
      const search = searchByPaymentIdParams(paymentId);
      for await (const intent of this.stripe.search(
        STRIPE_PATHS.searchPaymentIntents,
        search,
        PaymentIntentPage,
      )) {
        keep(intent);
      }
    } catch (error) {
      throw toPaysagaError(error, operation);
    }
    const charges = [...found.values()];
    if (charges.length > 1) {
      throw new LedgerInvariantError(
        `${operation}: the gateway holds ${charges.length} charges (${charges.map((c) => c.chargeId).join(', ')}) ` +
          'for one payment; refund all but one',
      );
    }
    const [charge] = charges;
    if (!charge) return undefined;
    const { paymentId: _, ...result } = charge;
    return result;
  }

  /**
   * The PaymentIntents created in [since, until], at most maxLookupPages pages: the list holds every payment's
   * intents, so a window busier than that is a GatewayLookupTooLargeError (the retry, once the search has
   * caught up, searches instead of listing).
   */
  private async listWindow(since: Date, until: Date | undefined, operation: string) {
    const created = { gte: epochOf(since), ...(until && { lte: epochOf(until) }) };
    const intents: PaymentIntent[] = [];
    const pageAfter = (startingAfter?: string) =>
      this.stripe.get(
        STRIPE_PATHS.paymentIntents,
        createdListParams(created, startingAfter),
        PaymentIntentPage,
      );
    let page = await pageAfter();
    for (let pages = 1; ; pages++) {
      intents.push(...page.data);
      const last = page.data.at(-1);
      if (!page.has_more || !last) return intents;
      if (pages >= this.maxLookupPages) {
        throw new GatewayLookupTooLargeError(
          `${operation}: more than ${pages * PAGE_SIZE} charges were created in the lookup window; ` +
            "retry once the gateway's search has caught up",
        );
      }
      page = await pageAfter(last.id);
    }
  }

  async *listCharges({ from, to }: Period): AsyncIterable<ChargeRecord> {
    try {
      const created = { gte: epochOf(from), lt: epochOf(to) };
      const pages = this.stripe.list(
        STRIPE_PATHS.paymentIntents,
        createdListParams(created),
        PaymentIntentPage,
      );
      for await (const intent of pages) {
        if (MONEY_MOVING.has(intent.status)) yield chargeFrom(intent);
      }
    } catch (error) {
      throw toPaysagaError(error, 'list charges');
    }
  }

  async *listRefunds({ from, to }: Period): AsyncIterable<RefundRecord> {
    try {
      const created = { gte: epochOf(from), lt: epochOf(to) };
      const pages = this.stripe.list(STRIPE_PATHS.refunds, createdListParams(created), RefundPage);
      for await (const refund of pages) yield refundFrom(refund, undefined);
    } catch (error) {
      throw toPaysagaError(error, 'list refunds');
    }
  }
}

export function createStripeGateway(options: StripeGatewayOptions): PaymentGateway {
  return new StripeGateway(stripeClient(options), options.maxLookupPages);
}
