import '../config/zod-locale';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as z from 'zod/mini';
import { http, https } from '../aws/node-http';
import { encodeForm, type FormParams } from './stripe-form';
import { connectionErrorOf, StripeRequestError, stripeErrorOf, TIMEOUT_CODE } from './stripe-http-error';

/**
 * A lean client of Stripe's v1 REST API: the subset the adapter uses, sent as the stripe SDK (v23) sent it,
 * without the SDK's 240 KB in every function bundle. Same wire format (stripe-form.ts), same pinned API version,
 * same Idempotency-Key per POST (the caller's: it is what prevents double charges), and the SDK's network retry
 * rule (retryAfter below), backoff and per-attempt timeout. Errors are StripeRequestError, classified as the SDK
 * classified them (stripe-http-error.ts).
 */

/** The API version the stripe SDK 23.1.0 pins (its ApiVersion): what every request of ours asked for. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

/** The SDK's backoff bounds: 0.5 s initial, 5 s at most, in seconds. */
const RETRY_DELAY = { initialSeconds: 0.5, maxSeconds: 5 } as const;

/** Socket errors of a keep-alive connection closed under us: retried once even with retries off (as the SDK). */
const CONNECTION_CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE']);

const agents = {
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
} as const;

export interface StripeHttpOptions {
  readonly apiKey: string;
  /** Only for the local sandbox, e.g. "http://127.0.0.1:4567"; production talks to https://api.stripe.com. */
  readonly apiBase?: string | undefined;
  /** Per attempt: the socket may stay idle this long before the attempt fails as ETIMEDOUT. */
  readonly timeoutMs: number;
  /** Retries of one call, with the same Idempotency-Key; a closed connection is retried once even at 0. */
  readonly maxNetworkRetries: number;
}

/** A page of a list (`has_more`, paged by `starting_after`) or of a search (`next_page`). */
export interface StripePage<T> {
  readonly data: T[];
  readonly has_more: boolean;
  readonly next_page?: string | null | undefined;
}

type Answer = {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
};

/**
 * The SDK's _shouldRetry: a closed connection on the first attempt; then, while retries remain, any failure
 * without an answer, what Stripe-Should-Retry says, a 409 (lock or key in use) and a 5xx. Every POST carries
 * an Idempotency-Key and every other request is a read, so a retry never acts twice.
 */
export function retryAfter(
  answer: Pick<Answer, 'status' | 'headers'> | undefined,
  retries: number,
  maxRetries: number,
  error?: unknown,
): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (error && retries === 0 && typeof code === 'string' && CONNECTION_CLOSED_CODES.has(code)) return true;
  if (retries >= maxRetries) return false;
  if (!answer) return true;
  const advice = answer.headers['stripe-should-retry'];
  if (advice === 'false') return false;
  if (advice === 'true') return true;
  return answer.status === 409 || answer.status >= 500;
}

/** The SDK's backoff before retry number `retries + 1`: exponential, half-jittered, never under 0.5 s. */
export function retryDelayMs(retries: number): number {
  const { initialSeconds, maxSeconds } = RETRY_DELAY;
  const capped = Math.min(initialSeconds * 2 ** (retries - 1), maxSeconds);
  return Math.max(initialSeconds, capped * 0.5 * (1 + Math.random())) * 1000;
}

function apiError(message: string, status?: number, requestId?: string): StripeRequestError {
  return new StripeRequestError('StripeAPIError', { message, statusCode: status, requestId });
}

export class StripeHttpClient {
  private readonly base: URL;

  constructor(private readonly options: StripeHttpOptions) {
    this.base = new URL(options.apiBase ?? 'https://api.stripe.com');
  }

  /** A POST: `idempotencyKey` is required, every retry (ours, the saga's) must reuse it. */
  post<T>(path: string, params: FormParams, idempotencyKey: string, schema: z.ZodMiniType<T>): Promise<T> {
    return this.call('POST', path, encodeForm(params), idempotencyKey, schema);
  }

  get<T>(path: string, params: FormParams, schema: z.ZodMiniType<T>): Promise<T> {
    const query = encodeForm(params);
    return this.call('GET', query ? `${path}?${query}` : path, '', undefined, schema);
  }

  /** Every item of a list (`has_more`, then `starting_after` the last id), newest first, page by page. */
  async *list<T extends { id: string }>(
    path: string,
    params: FormParams,
    page: z.ZodMiniType<StripePage<T>>,
  ): AsyncGenerator<T> {
    let next: FormParams = params;
    for (;;) {
      const { data, has_more } = await this.get(path, next, page);
      yield* data;
      if (!has_more) return;
      const last = data.at(-1);
      if (!last) throw apiError('Unexpected: a list page with has_more holds no item to page after');
      next = { ...params, starting_after: last.id };
    }
  }

  /** Every result of a search (`has_more`, then `page` = the `next_page` token). */
  async *search<T>(path: string, params: FormParams, page: z.ZodMiniType<StripePage<T>>): AsyncGenerator<T> {
    let next: FormParams = params;
    for (;;) {
      const { data, has_more, next_page } = await this.get(path, next, page);
      yield* data;
      if (!has_more) return;
      if (!next_page) throw apiError('Unexpected: a search page with has_more has no next_page');
      next = { ...params, page: next_page };
    }
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body: string,
    idempotencyKey: string | undefined,
    schema: z.ZodMiniType<T>,
  ): Promise<T> {
    const { maxNetworkRetries, timeoutMs } = this.options;
    for (let retries = 0; ; retries++) {
      let answer: Answer | 'retry';
      try {
        answer = await this.send(method, path, body, idempotencyKey, retries);
      } catch (error) {
        if (error instanceof StripeRequestError) throw error;
        if (!retryAfter(undefined, retries, maxNetworkRetries, error)) {
          throw connectionErrorOf(error, timeoutMs, retries);
        }
        answer = 'retry';
      }
      if (answer !== 'retry') return this.parsed(answer, schema);
      await sleep(retryDelayMs(retries));
    }
  }

  /**
   * One attempt: the answer, or 'retry' for a response retryAfter retries, decided on its status and headers
   * before its body is read (the body is drained), as the SDK does. Rejects with the socket's error when no
   * response came, and with a StripeConnectionError when the body broke off (not retried, as in the SDK).
   */
  private send(
    method: 'GET' | 'POST',
    path: string,
    body: string,
    idempotencyKey: string | undefined,
    retries: number,
  ): Promise<Answer | 'retry'> {
    const { apiKey, timeoutMs, maxNetworkRetries } = this.options;
    const secure = this.base.protocol !== 'http:';
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
      'User-Agent': 'paysaga-stripe-http/1',
      'Stripe-Version': STRIPE_API_VERSION,
      Authorization: `Bearer ${apiKey}`,
      ...(method === 'POST' && {
        'Content-Length': String(Buffer.byteLength(body)),
        'Idempotency-Key': idempotencyKey ?? '',
      }),
    };
    return new Promise<Answer | 'retry'>((resolve, reject) => {
      let timedOut = false;
      const request = (secure ? https : http).request({
        host: this.base.hostname,
        port: this.base.port ? Number(this.base.port) : secure ? 443 : 80,
        path,
        method,
        headers,
        agent: secure ? agents.https : agents.http,
      });
      request.setTimeout(timeoutMs, () => {
        timedOut = true;
        request.destroy(Object.assign(new Error(TIMEOUT_CODE), { code: TIMEOUT_CODE }));
      });
      request.on('error', reject);
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        const requestId = header(response.headers['request-id']);
        if (retryAfter({ status, headers: response.headers }, retries, maxNetworkRetries)) {
          response.resume();
          resolve('retry');
          return;
        }
        readBody(response, () => timedOut).then(
          (text) => resolve({ status, headers: response.headers, body: text }),
          (error: unknown) => reject(connectionErrorOf(error, timeoutMs, retries, requestId)),
        );
      });
      request.end(method === 'POST' ? body : undefined);
    });
  }

  /** The JSON of an answer: its `error` as StripeRequestError, else the body checked against `schema`. */
  private parsed<T>(answer: Answer, schema: z.ZodMiniType<T>): T {
    const requestId = header(answer.headers['request-id']);
    let json: unknown;
    try {
      json = JSON.parse(answer.body);
    } catch {
      throw apiError('Invalid JSON received from the Stripe API', undefined, requestId);
    }
    const error = (json as { error?: unknown } | null)?.error;
    if (error && typeof error === 'object') {
      throw stripeErrorOf({ ...(error as object), statusCode: answer.status, requestId });
    }
    if (answer.status >= 400) {
      throw apiError(
        `The Stripe API answered HTTP ${answer.status} without an error`,
        answer.status,
        requestId,
      );
    }
    const checked = schema.safeParse(json);
    if (!checked.success) {
      const where = checked.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
      throw apiError(`Unexpected response from the Stripe API (at ${where})`, answer.status, requestId);
    }
    return checked.data;
  }
}

const header = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** A body that stalls or breaks off after the headers is a connection error (ETIMEDOUT when it timed out). */
function readBody(response: IncomingMessage, timedOut: () => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const fail = (error: unknown) =>
      reject(timedOut() ? Object.assign(new Error(TIMEOUT_CODE), { code: TIMEOUT_CODE }) : error);
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      text += chunk;
    });
    response.once('error', fail);
    response.once('close', () => {
      if (!response.complete) fail(new Error('the response broke off before its end'));
    });
    response.once('end', () => resolve(text));
  });
}
