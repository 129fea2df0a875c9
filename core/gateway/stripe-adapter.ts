import Stripe from 'stripe';
import { CardDeclinedError, LedgerInvariantError } from '../errors';
import { type Currency, isCurrency, type Money } from '../money';
import {
  type ChargeRecord,
  type ChargeRequest,
  type ChargeResult,
  type FindChargeOptions,
  type FindRefundRequest,
  idempotencyKeys,
  type PaymentGateway,
  type Period,
  type RefundRecord,
  type RefundRequest,
  type RefundResult,
} from './port';
import { GatewayChargeProcessingError, GatewayLookupTooLargeError, toPaysagaError } from './stripe-errors';
import { fromStripeAmount, toStripeAmount } from './stripe-units';

export interface StripeGatewayOptions {
  readonly apiKey: string;
  /** Only for the local sandbox, e.g. "http://127.0.0.1:4567"; production talks to api.stripe.com. */
  readonly apiBase?: string;
  /**
   * Per-attempt timeout. The Charge Lambda has 30 s: (maxNetworkRetries + 1) attempts of this
   * length plus the SDK's backoff must fit, or Lambda kills the step mid-request.
   */
  readonly timeoutMs?: number;
  /** The SDK's own retries, made with the same idempotency key; keep small, the saga retries too. */
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
const PAGE_SIZE = 100;

export function stripeClient(options: StripeGatewayOptions): Stripe {
  return new Stripe(options.apiKey, {
    maxNetworkRetries: options.maxNetworkRetries ?? STRIPE_DEFAULTS.maxNetworkRetries,
    timeout: options.timeoutMs ?? STRIPE_DEFAULTS.timeoutMs,
    telemetry: false,
    appInfo: { name: 'paysaga' },
    ...(options.apiBase ? hostOf(options.apiBase) : {}),
  });
}

function hostOf(apiBase: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const url = new URL(apiBase);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
  return { host: url.hostname, port, protocol };
}

/** Stripe amounts are in Stripe's units (stripe-units.ts: ISK, three-decimal...) and currencies lowercase. */
function moneyFrom(amount: number, currency: string, what: string): Money {
  const code = currency.toUpperCase();
  if (!isCurrency(code)) {
    throw new LedgerInvariantError(
      `${what}: the gateway reports currency ${code}, which paysaga does not know`,
    );
  }
  return fromStripeAmount(amount, code, what);
}

const isoFromEpoch = (seconds: number): string => new Date(seconds * 1000).toISOString();
const epochOf = (date: Date): number => Math.floor(date.getTime() / 1000);

function chargeFrom(intent: Stripe.PaymentIntent): ChargeRecord {
  const amount = moneyFrom(intent.amount, intent.currency, `charge ${intent.id}`);
  return {
    chargeId: intent.id,
    amount,
    currency: amount.currency as Currency,
    status: intent.status === 'processing' ? 'processing' : 'succeeded',
    created: isoFromEpoch(intent.created),
    paymentId: intent.metadata?.paymentId,
  };
}

function refundFrom(refund: Stripe.Refund, paymentId: string | undefined): RefundRecord {
  const amount = moneyFrom(refund.amount, refund.currency, `refund ${refund.id}`);
  const chargeId =
    typeof refund.payment_intent === 'string' ? refund.payment_intent : refund.payment_intent?.id;
  return {
    refundId: refund.id,
    chargeId: chargeId ?? '',
    amount,
    currency: amount.currency as Currency,
    status: refund.status === 'succeeded' ? 'succeeded' : 'pending',
    created: isoFromEpoch(refund.created),
    paymentId: refund.metadata?.paymentId ?? paymentId,
    ...(refund.metadata?.refundId && { sagaRefundId: refund.metadata.refundId }),
  };
}

/** The PaymentGateway over the official Stripe SDK. Build once per cold start (see credentials.ts). */
export class StripeGateway implements PaymentGateway {
  constructor(
    private readonly stripe: Stripe,
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
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.create(
        {
          amount: stripeAmount,
          currency: amount.currency.toLowerCase(),
          payment_method: paymentMethod,
          // Cards only, and no customer in the loop: a payment that needs 3-D Secure fails as a decline
          // instead of waiting in requires_action for an authentication nobody will perform.
          allowed_payment_method_types: ['card'],
          confirm: true,
          error_on_requires_action: true,
          ...(description ? { description } : {}),
          // paymentId last: caller metadata cannot overwrite the key reconciliation relies on.
          metadata: { ...metadata, paymentId },
        },
        { idempotencyKey: idempotencyKeys.charge(paymentId) },
      );
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
  private async settled(intent: Stripe.PaymentIntent, operation: string): Promise<Stripe.PaymentIntent> {
    let current: Stripe.PaymentIntent;
    try {
      current = await this.stripe.paymentIntents.retrieve(intent.id);
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
    let refund: Stripe.Refund;
    try {
      refund = await this.stripe.refunds.create(
        {
          payment_intent: chargeId,
          amount: stripeAmount,
          metadata: { paymentId, ...(refundId !== undefined && { refundId }) },
        },
        {
          idempotencyKey:
            refundId === undefined
              ? idempotencyKeys.refund(paymentId)
              : idempotencyKeys.refundOf(paymentId, refundId),
        },
      );
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
      for await (const refund of this.stripe.refunds.list({ payment_intent: chargeId, limit: PAGE_SIZE })) {
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
      !(error instanceof Stripe.errors.StripeInvalidRequestError) ||
      error.code !== 'charge_already_refunded'
    ) {
      return undefined;
    }
    try {
      const page = await this.stripe.refunds.list({ payment_intent: chargeId, limit: PAGE_SIZE });
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
    const keep = (intent: Stripe.PaymentIntent) => {
      if (MONEY_MOVING.has(intent.status) && intent.metadata?.paymentId === paymentId) {
        found.set(intent.id, chargeFrom(intent));
      }
    };
    try {
      if (options.createdSince) {
        for (const intent of await this.listWindow(options.createdSince, options.createdUntil, operation))
          keep(intent);
      }
      const query = `metadata['paymentId']:'${paymentId.replaceAll("'", "\\'")}'`;
      for await (const intent of this.stripe.paymentIntents.search({ query, limit: PAGE_SIZE })) keep(intent);
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
    const intents: Stripe.PaymentIntent[] = [];
    let page = await this.stripe.paymentIntents.list({ created, limit: PAGE_SIZE });
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
      page = await this.stripe.paymentIntents.list({ created, limit: PAGE_SIZE, starting_after: last.id });
    }
  }

  async *listCharges({ from, to }: Period): AsyncIterable<ChargeRecord> {
    try {
      const pages = this.stripe.paymentIntents.list({
        created: { gte: epochOf(from), lt: epochOf(to) },
        limit: PAGE_SIZE,
      });
      for await (const intent of pages) {
        if (MONEY_MOVING.has(intent.status)) yield chargeFrom(intent);
      }
    } catch (error) {
      throw toPaysagaError(error, 'list charges');
    }
  }

  async *listRefunds({ from, to }: Period): AsyncIterable<RefundRecord> {
    try {
      const pages = this.stripe.refunds.list({
        created: { gte: epochOf(from), lt: epochOf(to) },
        limit: PAGE_SIZE,
      });
      for await (const refund of pages) yield refundFrom(refund, undefined);
    } catch (error) {
      throw toPaysagaError(error, 'list refunds');
    }
  }
}

export function createStripeGateway(options: StripeGatewayOptions): PaymentGateway {
  return new StripeGateway(stripeClient(options), options.maxLookupPages);
}
