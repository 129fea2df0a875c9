/**
 * What the Stripe HTTP client (stripe-http.ts) throws: one error class carrying the classification the stripe
 * SDK (v23) made, under the SDK's own `type` names (StripeCardError, StripeIdempotencyError, ...), with the
 * same fields (`code`, `decline_code`, `statusCode`, `detail`, `rawType`). toPaysagaError (stripe-errors.ts)
 * reads only those fields, so it maps this error exactly as it mapped the SDK's.
 */

export type StripeErrorType =
  | 'StripeCardError'
  | 'StripeInvalidRequestError'
  | 'StripeIdempotencyError'
  | 'StripeAuthenticationError'
  | 'StripePermissionError'
  | 'StripeRateLimitError'
  | 'StripeAPIError'
  | 'StripeConnectionError';

/** The `error` object of a Stripe error response (only the fields we read), plus what the transport adds. */
export interface RawStripeError {
  readonly type?: string | undefined;
  readonly code?: string | undefined;
  readonly decline_code?: string | undefined;
  readonly message?: string | undefined;
  readonly statusCode?: number | undefined;
  readonly requestId?: string | undefined;
  /** For a connection error: the socket's error (its `code`: ECONNREFUSED, ETIMEDOUT, ECONNRESET...). */
  readonly detail?: unknown;
}

export class StripeRequestError extends Error {
  override readonly name = 'StripeRequestError';
  readonly type: StripeErrorType;
  /** The error's `type` as Stripe answered it: card_error, invalid_request_error, idempotency_error... */
  readonly rawType: string | undefined;
  readonly code: string | undefined;
  readonly decline_code: string | undefined;
  readonly statusCode: number | undefined;
  readonly requestId: string | undefined;
  readonly detail: unknown;

  constructor(type: StripeErrorType, raw: RawStripeError) {
    super(raw.message ?? '');
    this.type = type;
    this.rawType = raw.type;
    this.code = raw.code;
    this.decline_code = raw.decline_code ?? (type === 'StripeCardError' ? '' : undefined);
    this.statusCode = raw.statusCode;
    this.requestId = raw.requestId;
    this.detail = raw.detail;
  }
}

/**
 * The SDK's classification of a v1 error response (its generateV1Error): by HTTP status, the type only
 * separating an idempotency error from another invalid request. A 409 (`idempotency_key_in_use`) is thus a
 * StripeAPIError whose code says "in progress", exactly as the SDK reported it.
 */
export function stripeErrorOf(raw: RawStripeError): StripeRequestError {
  const status = raw.statusCode;
  const type: StripeErrorType =
    status === 429 || (status === 400 && raw.code === 'rate_limit')
      ? 'StripeRateLimitError'
      : status === 400 || status === 404
        ? raw.type === 'idempotency_error'
          ? 'StripeIdempotencyError'
          : 'StripeInvalidRequestError'
        : (status !== undefined && BY_STATUS[status]) || 'StripeAPIError';
  return new StripeRequestError(type, raw);
}

const BY_STATUS: Readonly<Record<number, StripeErrorType>> = {
  401: 'StripeAuthenticationError',
  402: 'StripeCardError',
  403: 'StripePermissionError',
};

/** The socket error code of a request that hit its timeout (the SDK's HttpClient.TIMEOUT_ERROR_CODE). */
export const TIMEOUT_CODE = 'ETIMEDOUT';

/** No (complete) answer: the SDK's StripeConnectionError, its socket error as `detail`. */
export function connectionErrorOf(
  cause: unknown,
  timeoutMs: number,
  retries: number,
  requestId?: string,
): StripeRequestError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message =
    code === TIMEOUT_CODE
      ? `Request aborted due to timeout being reached (${timeoutMs}ms)`
      : `An error occurred with our connection to Stripe.${retries > 0 ? ` Request was retried ${retries} times.` : ''}`;
  return new StripeRequestError('StripeConnectionError', { message, detail: cause, requestId });
}
