import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { CURRENCY_EXPONENTS } from '../../core/money';
import { canonicalParams, type FormObject, parseForm, stringParam } from './form';
import { RunningRequests } from './running-requests';
import { newId, type PaymentIntentObject, type RefundObject, SandboxStore } from './store';
import { type ApiResponse, StripeApi, stripeError } from './stripe-api';
import { behaviourOf, faultApplies, SANDBOX_PAYMENT_METHODS, type SandboxBehaviour } from './test-methods';

export interface SandboxGatewayOptions {
  /** Default 127.0.0.1: the sandbox is never reachable from outside the machine. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Append-only JSON lines; reloaded on start. In-memory when absent. */
  readonly dataFile?: string;
  /** Accepted API keys; default: any `sk_test_...` key. Live keys are always refused. */
  readonly apiKeys?: readonly string[];
  /** Delay of pm_sandbox_slow, ms (default 1500). */
  readonly slowMs?: number;
  /** Clock, for tests of `created` ranges. */
  readonly now?: () => number;
  /** How long a new PaymentIntent stays out of search results (Stripe's Search API lags writes); default 0. */
  readonly searchLagMs?: number;
}

/** A charge as tests and reconciliation see it (money-moving PaymentIntents only). */
export interface SandboxCharge {
  readonly id: string;
  readonly paymentId: string | undefined;
  readonly amount: number;
  /** ISO 4217, upper case. */
  readonly currency: string;
  readonly status: PaymentIntentObject['status'];
  /** Epoch seconds. */
  readonly created: number;
  readonly paymentMethod: string | null;
  /** Minor units refunded so far. */
  readonly refunded: number;
}

export interface SandboxRefund {
  readonly id: string;
  readonly chargeId: string;
  readonly paymentId: string | undefined;
  readonly amount: number;
  readonly currency: string;
  readonly status: RefundObject['status'];
  readonly created: number;
  /** The refund saga's refundId (metadata.refundId; the key is refund:<paymentId>:<refundId>); absent otherwise. */
  readonly refundId?: string;
}

/** One API request as the sandbox saw it; `outcome` is the HTTP status, or what a fault did. */
export interface SandboxRequest {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  readonly attempt: number | undefined;
  readonly outcome: number | 'withheld' | 'dropped';
  readonly replayed: boolean;
}

const Created = z.union([z.int().nonnegative(), z.iso.datetime({ offset: true })]).optional();

export const InjectChargeInput = z.strictObject({
  paymentId: z.string().min(1).optional(),
  amount: z.int().positive(),
  currency: z
    .string()
    .refine((code) => Object.hasOwn(CURRENCY_EXPONENTS, code.toUpperCase()), 'unknown currency'),
  /** Epoch seconds or ISO-8601; default now. */
  created: Created,
  paymentMethod: z.string().default('pm_card_visa'),
});
export type InjectChargeInput = z.input<typeof InjectChargeInput>;

export const InjectRefundInput = z.strictObject({
  chargeId: z.string().min(1),
  /** Default: what is left to refund. */
  amount: z.int().positive().optional(),
  paymentId: z.string().min(1).optional(),
  created: Created,
});
export type InjectRefundInput = z.input<typeof InjectRefundInput>;

const DownInput = z.strictObject({ down: z.boolean() });

const REQUEST_LOG_SIZE = 2000;
const MAX_BODY_BYTES = 1 << 20;

type Route =
  | { readonly name: 'createIntent' | 'createRefund'; readonly idempotent: true }
  | { readonly name: 'listIntents' | 'searchIntents' | 'listRefunds'; readonly idempotent: false }
  | { readonly name: 'retrieveIntent' | 'retrieveRefund'; readonly idempotent: false; readonly id: string };

function routeOf(method: string, path: string): Route | undefined {
  if (method === 'POST' && path === '/v1/payment_intents') return { name: 'createIntent', idempotent: true };
  if (method === 'POST' && path === '/v1/refunds') return { name: 'createRefund', idempotent: true };
  if (method !== 'GET') return undefined;
  if (path === '/v1/payment_intents') return { name: 'listIntents', idempotent: false };
  if (path === '/v1/payment_intents/search') return { name: 'searchIntents', idempotent: false };
  if (path === '/v1/refunds') return { name: 'listRefunds', idempotent: false };
  const intent = /^\/v1\/payment_intents\/(pi_[A-Za-z0-9]+)$/.exec(path);
  if (intent?.[1]) return { name: 'retrieveIntent', idempotent: false, id: intent[1] };
  const refund = /^\/v1\/refunds\/(re_[A-Za-z0-9]+)$/.exec(path);
  if (refund?.[1]) return { name: 'retrieveRefund', idempotent: false, id: refund[1] };
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** What a charge request does: its payment method's behaviour, except refunddrop, which acts on refunds only. */
function chargeBehaviour(params: FormObject): SandboxBehaviour | undefined {
  const behaviour = behaviourOf(stringParam(params, 'payment_method') ?? '');
  return behaviour?.kind === 'refunddrop' ? { kind: 'approve' } : behaviour;
}

/** Stripe's answer while another request with the same idempotency key is still running. */
const keyInUse = (idempotencyKey: string | undefined): ApiResponse =>
  stripeError(409, {
    type: 'idempotency_error',
    code: 'idempotency_key_in_use',
    message: `There is currently another in-progress request using this Idempotency Key: '${idempotencyKey}'. Please try again later.`,
  });

/** "sk_test_****abcd", as Stripe quotes a rejected key (the adapter must not pass this on). */
const maskKey = (key: string): string => `${key.slice(0, 8)}****${key.slice(-4)}`;

/**
 * The sandbox gateway: the Stripe REST subset the adapter uses, on 127.0.0.1, with deterministic
 * test payment methods (see test-methods.ts) and controls for tests, in-process or over /_sandbox/.
 */
export class SandboxGateway {
  readonly store: SandboxStore;
  private readonly api: StripeApi;
  private readonly running: RunningRequests;
  private readonly server: Server;
  private readonly log: SandboxRequest[] = [];
  private readonly stopping = new AbortController();
  private down = false;
  private address: AddressInfo | undefined;

  private constructor(private readonly options: SandboxGatewayOptions) {
    this.store = new SandboxStore(options.dataFile, options.now);
    this.api = new StripeApi(this.store, options.searchLagMs ?? 0);
    this.running = new RunningRequests(this.store.idempotency);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          this.send(
            res,
            stripeError(500, { type: 'api_error', message: `sandbox failure: ${String(error)}` }),
            {},
          );
        }
      });
    });
  }

  static async start(options: SandboxGatewayOptions = {}): Promise<SandboxGateway> {
    const sandbox = new SandboxGateway(options);
    sandbox.server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    await once(sandbox.server, 'listening');
    sandbox.address = sandbox.server.address() as AddressInfo;
    return sandbox;
  }

  get host(): string {
    return this.address?.address ?? this.options.host ?? '127.0.0.1';
  }

  get port(): number {
    if (!this.address) throw new Error('sandbox gateway is not listening');
    return this.address.port;
  }

  /** The apiBase to put in the gateway secret. */
  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  get isDown(): boolean {
    return this.down;
  }

  /** While down, every API request answers 503 and nothing is done ("gateway down for a while"). */
  setDown(down: boolean): void {
    this.down = down;
  }

  /** New PaymentIntents stay out of search results this long (Stripe's search lags writes). */
  setSearchLag(ms: number): void {
    this.api.searchLagMs = ms;
  }

  /** Money-moving charges, oldest first. */
  listCharges(): SandboxCharge[] {
    return this.store
      .allIntents()
      .filter((intent) => intent.status === 'succeeded' || intent.status === 'processing')
      .map((intent) => this.chargeView(intent));
  }

  chargesFor(paymentId: string): SandboxCharge[] {
    return this.listCharges().filter((charge) => charge.paymentId === paymentId);
  }

  /** Refunds, oldest first. */
  listRefunds(): SandboxRefund[] {
    return this.store.allRefunds().map((refund) => this.refundView(refund));
  }

  refundsFor(paymentId: string): SandboxRefund[] {
    return this.listRefunds().filter((refund) => refund.paymentId === paymentId);
  }

  /** The API requests seen so far (last 2000), oldest first. */
  requests(): SandboxRequest[] {
    return [...this.log];
  }

  /** A charge made behind paysaga's back (reconciliation tests): no idempotency key, no saga. */
  injectCharge(input: InjectChargeInput): SandboxCharge {
    const charge = InjectChargeInput.parse(input);
    const created = this.createdOf(charge.created);
    const intent = this.store.saveIntent({
      id: newId('pi'),
      object: 'payment_intent',
      amount: charge.amount,
      amount_received: charge.amount,
      currency: charge.currency.toLowerCase(),
      status: 'succeeded',
      created,
      description: 'injected by a test',
      metadata: charge.paymentId ? { paymentId: charge.paymentId } : {},
      payment_method: charge.paymentMethod,
      latest_charge: newId('ch'),
      capture_method: 'automatic',
      confirmation_method: 'automatic',
      allowed_payment_method_types: ['card'],
      last_payment_error: null,
      livemode: false,
    });
    return this.chargeView(intent);
  }

  /** A refund made behind paysaga's back (e.g. in the dashboard). */
  injectRefund(input: InjectRefundInput): SandboxRefund {
    const refund = InjectRefundInput.parse(input);
    const intent = this.store.intent(refund.chargeId);
    if (!intent) throw new Error(`no charge ${refund.chargeId} in the sandbox`);
    const paymentId = refund.paymentId ?? intent.metadata.paymentId;
    const saved = this.store.saveRefund({
      id: newId('re'),
      object: 'refund',
      amount: refund.amount ?? intent.amount - this.store.refundedAmount(intent.id),
      currency: intent.currency,
      payment_intent: intent.id,
      charge: intent.latest_charge,
      status: 'succeeded',
      created: this.createdOf(refund.created),
      metadata: paymentId ? { paymentId } : {},
      reason: null,
    });
    return this.refundView(saved);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  private createdOf(created: number | string | undefined): number {
    if (created === undefined) return this.store.nowSeconds();
    return typeof created === 'number' ? created : Math.floor(Date.parse(created) / 1000);
  }

  private chargeView(intent: PaymentIntentObject): SandboxCharge {
    return {
      id: intent.id,
      paymentId: intent.metadata.paymentId,
      amount: intent.amount,
      currency: intent.currency.toUpperCase(),
      status: intent.status,
      created: intent.created,
      paymentMethod: intent.payment_method,
      refunded: this.store.refundedAmount(intent.id),
    };
  }

  private refundView(refund: RefundObject): SandboxRefund {
    return {
      id: refund.id,
      chargeId: refund.payment_intent,
      paymentId: refund.metadata.paymentId,
      amount: refund.amount,
      currency: refund.currency.toUpperCase(),
      status: refund.status,
      created: refund.created,
      ...(refund.metadata.refundId !== undefined && { refundId: refund.metadata.refundId }),
    };
  }

  private send(res: ServerResponse, response: ApiResponse, headers: Record<string, string>): void {
    const body = JSON.stringify(response.body);
    res.writeHead(response.status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      ...headers,
    });
    res.end(body);
  }

  private record(entry: Omit<SandboxRequest, 'at'>): void {
    this.log.push({ at: new Date(this.store.now()).toISOString(), ...entry });
    if (this.log.length > REQUEST_LOG_SIZE) this.log.shift();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);
    if (url.pathname.startsWith('/_sandbox/')) return this.handleAdmin(req, res, url, body);
    return this.handleApi(req, res, url, body);
  }

  private authenticate(req: IncomingMessage): string | ApiResponse {
    const match = /^Bearer (\S+)$/.exec(header(req, 'authorization') ?? '');
    const key = match?.[1];
    if (!key) {
      return stripeError(401, {
        type: 'invalid_request_error',
        message: 'You did not provide an API key. Provide it in the Authorization header (Bearer auth).',
      });
    }
    const accepted = this.options.apiKeys ? this.options.apiKeys.includes(key) : key.startsWith('sk_test_');
    if (!accepted) {
      return stripeError(401, {
        type: 'invalid_request_error',
        message: `Invalid API Key provided: ${maskKey(key)}`,
      });
    }
    return key;
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const idempotencyKey = header(req, 'idempotency-key');
    const headers: Record<string, string> = {
      'Request-Id': newId('req'),
      ...(header(req, 'stripe-version') ? { 'Stripe-Version': header(req, 'stripe-version') as string } : {}),
      ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
    };
    const answer = (response: ApiResponse, attempt?: number, replayed = false): void => {
      this.send(res, response, replayed ? { ...headers, 'Idempotent-Replayed': 'true' } : headers);
      this.record({ method, path, idempotencyKey, attempt, outcome: response.status, replayed });
    };

    const apiKey = this.authenticate(req);
    if (typeof apiKey !== 'string') return answer(apiKey);
    if (this.down) {
      return answer(
        stripeError(503, { type: 'api_error', message: 'The sandbox gateway is down (setDown).' }),
      );
    }
    const route = routeOf(method, path);
    if (!route) {
      return answer(
        stripeError(404, {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${path}).`,
        }),
      );
    }
    const params = parseForm(method === 'GET' ? url.search.slice(1) : body);
    if (!route.idempotent) return answer(this.read(route, params));

    const behaviour = route.name === 'createIntent' ? chargeBehaviour(params) : this.refundBehaviour(params);
    const counted = behaviour && 'times' in behaviour ? behaviour : undefined;
    const attempt = counted
      ? idempotencyKey
        ? this.store.countAttempt(apiKey, idempotencyKey)
        : 1
      : undefined;
    const fault = counted && faultApplies(counted.times, attempt ?? 1) ? counted.kind : undefined;
    if (fault === 'unavailable') {
      return answer(
        stripeError(503, { type: 'api_error', message: 'Service unavailable (sandbox fault).' }),
        attempt,
      );
    }
    if (fault === 'ratelimited') {
      return answer(
        stripeError(429, {
          type: 'rate_limit_error',
          code: 'rate_limit',
          message: 'Too many requests (sandbox fault).',
        }),
        attempt,
      );
    }

    const request = `${method} ${path} ${canonicalParams(body)}`;
    if (idempotencyKey && counted?.kind === 'inprogress') {
      if (fault === 'inprogress') {
        this.running.start(apiKey, idempotencyKey, request, () => this.api.createPaymentIntent(params));
        return answer(keyInUse(idempotencyKey), attempt);
      }
      this.running.finish(apiKey, idempotencyKey);
    }
    const decision = idempotencyKey
      ? this.store.idempotency.begin(apiKey, idempotencyKey, request)
      : ({ kind: 'new' } as const);
    if (decision.kind === 'mismatch') {
      return answer(
        stripeError(400, {
          type: 'idempotency_error',
          message:
            `Keys for idempotent requests can only be used with the same parameters they were first used with ` +
            `(first used for ${decision.firstRequest}). Try using a key other than '${idempotencyKey}' if you meant ` +
            'to execute a different request.',
        }),
        attempt,
      );
    }
    if (decision.kind === 'in_progress') return answer(keyInUse(idempotencyKey), attempt);

    let response: ApiResponse;
    const replayed = decision.kind === 'replay';
    if (decision.kind === 'replay') {
      response = decision.response;
    } else {
      try {
        await this.delayFor(behaviour);
        response =
          route.name === 'createIntent'
            ? this.api.createPaymentIntent(params)
            : this.api.createRefund(params);
      } catch (error) {
        if (idempotencyKey) this.store.idempotency.release(apiKey, idempotencyKey);
        throw error;
      }
      if (idempotencyKey) {
        // Like Stripe: only requests that ran are replayed (successes and declines); refusals and 5xx are not.
        if (response.status === 200 || response.status === 402) {
          this.store.idempotency.complete(apiKey, idempotencyKey, response);
        } else {
          this.store.idempotency.release(apiKey, idempotencyKey);
        }
      }
    }

    if (fault === 'timeout') {
      // The work is done and stored; the answer never comes. The client times out and hangs up.
      this.record({ method, path, idempotencyKey, attempt, outcome: 'withheld', replayed });
      if (!res.destroyed) await once(res, 'close');
      return;
    }
    if (fault === 'dropresponse' || fault === 'refunddrop') {
      this.record({ method, path, idempotencyKey, attempt, outcome: 'dropped', replayed });
      req.socket.destroy();
      return;
    }
    answer(response, attempt, replayed);
  }

  /**
   * A refund's fault comes from the charge's payment method; only refunddrop
   * acts on refunds here (refundfail is the API's own answer, see StripeApi).
   */
  private refundBehaviour(params: FormObject): SandboxBehaviour | undefined {
    const intentId = stringParam(params, 'payment_intent');
    const method = intentId ? this.store.intent(intentId)?.payment_method : undefined;
    const behaviour = method ? behaviourOf(method) : undefined;
    return behaviour?.kind === 'refunddrop' ? behaviour : undefined;
  }

  private async delayFor(behaviour: SandboxBehaviour | undefined): Promise<void> {
    if (behaviour?.kind !== 'slow') return;
    await sleep(behaviour.delayMs ?? this.options.slowMs ?? 1500, undefined, {
      signal: this.stopping.signal,
    });
  }

  private read(route: Route, params: FormObject): ApiResponse {
    switch (route.name) {
      case 'listIntents':
        return this.api.listPaymentIntents(params);
      case 'searchIntents':
        return this.api.searchPaymentIntents(params);
      case 'listRefunds':
        return this.api.listRefunds(params);
      case 'retrieveIntent':
        return this.api.retrievePaymentIntent(route.id);
      case 'retrieveRefund':
        return this.api.retrieveRefund(route.id);
      default:
        return stripeError(405, { type: 'invalid_request_error', message: 'method not allowed' });
    }
  }

  private handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, body: string): void {
    this.send(res, this.adminResponse(`${req.method} ${url.pathname}`, url, body), {});
  }

  private adminResponse(route: string, url: URL, body: string): ApiResponse {
    const ok = (value: unknown): ApiResponse => ({ status: 200, body: value });
    const paymentId = url.searchParams.get('paymentId');
    try {
      switch (route) {
        case 'GET /_sandbox/health':
          return ok({ ok: true, down: this.down });
        case 'GET /_sandbox/payment-methods':
          return ok(SANDBOX_PAYMENT_METHODS);
        case 'GET /_sandbox/charges':
          return ok(paymentId ? this.chargesFor(paymentId) : this.listCharges());
        case 'GET /_sandbox/refunds':
          return ok(paymentId ? this.refundsFor(paymentId) : this.listRefunds());
        case 'GET /_sandbox/requests':
          return ok(this.requests());
        case 'POST /_sandbox/down':
          this.setDown(DownInput.parse(JSON.parse(body)).down);
          return ok({ ok: true, down: this.down });
        case 'POST /_sandbox/charges':
          return ok(this.injectCharge(JSON.parse(body)));
        case 'POST /_sandbox/refunds':
          return ok(this.injectRefund(JSON.parse(body)));
        default:
          return {
            status: 404,
            body: { error: `no sandbox admin route ${route}; see local/sandbox-gateway/server.ts` },
          };
      }
    } catch (error) {
      const message = error instanceof z.core.$ZodError ? z.prettifyError(error) : String(error);
      return { status: 400, body: { error: message } };
    }
  }
}

export function startSandboxGateway(options?: SandboxGatewayOptions): Promise<SandboxGateway> {
  return SandboxGateway.start(options);
}
