import {
  CardDeclinedError,
  GatewayTimeoutError,
  GatewayUnavailableError,
  InvalidPaymentError,
  PaysagaError,
  ThrottlingError,
} from '../errors';
import { redactPans } from '../pan';
import type { StripeErrorType } from './stripe-http-error';

/**
 * The gateway refused the API key. Still named GatewayUnavailableError for the saga (retry, then stop
 * at the step so it can be redriven once the secret is fixed); the class lets the credentials layer
 * re-read the secret at once instead of waiting for the cache to expire.
 */
export class GatewayKeyRejectedError extends GatewayUnavailableError {}

/**
 * Another request with the same idempotency key is still running at the gateway (Stripe answers 409,
 * `idempotency_key_in_use`). That request may yet charge, so this is neither final nor a failure: it is
 * retried with the same key (named GatewayTimeoutError for the saga: the outcome is not known yet), and
 * the retry replays the first request's answer once it is done. Stripe's idempotency page
 * (https://docs.stripe.com/idempotency) says a request that conflicts with another one executing
 * concurrently saves no result and is safe to retry. A key reused with other parameters stays final.
 */
export class GatewayRequestInProgressError extends GatewayTimeoutError {}

/**
 * A charge the gateway is still processing (`processing`): it may yet succeed or fail, so it is neither a
 * charge to build on nor a failure. Retried (named GatewayTimeoutError for the saga: the outcome is not known).
 */
export class GatewayChargeProcessingError extends GatewayTimeoutError {}

/**
 * A lookup's list window holds more PaymentIntents than the adapter reads at once (production volume): retried
 * as GatewayUnavailableError; by then the gateway's search has caught up and is used instead of the list.
 */
export class GatewayLookupTooLargeError extends GatewayUnavailableError {}

/**
 * A Stripe error as the client (stripe-http-error.ts StripeRequestError) or the stripe SDK describes it: the
 * SDK's classification in `type`, and Stripe's fields. Read by shape, so both map alike.
 */
interface StripeErrorLike {
  readonly type: StripeErrorType;
  readonly message: string;
  readonly code?: string | undefined;
  readonly decline_code?: string | undefined;
  readonly statusCode?: number | undefined;
  readonly detail?: unknown;
}

const STRIPE_ERROR_TYPES = new Set<string>([
  'StripeCardError',
  'StripeInvalidRequestError',
  'StripeIdempotencyError',
  'StripeAuthenticationError',
  'StripePermissionError',
  'StripeRateLimitError',
  'StripeAPIError',
  'StripeConnectionError',
] satisfies StripeErrorType[]);

function isStripeError(error: unknown): error is StripeErrorLike {
  return error instanceof Error && STRIPE_ERROR_TYPES.has(String((error as { type?: unknown }).type));
}

/**
 * Stripe's 409: the idempotency key is in use by a request still running (or the object is locked). An
 * idempotency error is in progress only by its code: a key reused with other parameters is final whatever
 * the HTTP status, so the class is tested before the status.
 */
function isInProgress(error: StripeErrorLike): boolean {
  if (error.code === 'idempotency_key_in_use') return true;
  if (error.type === 'StripeIdempotencyError') return false;
  return error.statusCode === 409;
}

/** Connection failures that prove the request never reached the gateway: safe, plainly unavailable. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Stripe echoes part of a rejected key ("sk_test_****abcd"); strip keys and PANs from anything we pass on. */
export function safeGatewayMessage(text: string): string {
  return redactPans(text.replace(/\b(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9*_]+/g, '[REDACTED KEY]'));
}

function detailCode(error: StripeErrorLike): string | undefined {
  const detail: unknown = error.detail;
  if (detail && typeof detail === 'object' && 'code' in detail && typeof detail.code === 'string') {
    return detail.code;
  }
  return undefined;
}

/** Stripe's generic decline is our plain `card_declined`; specific decline codes are kept as the reason. */
function declineReason(error: StripeErrorLike): string {
  const declineCode = error.decline_code || undefined;
  if (declineCode && declineCode !== 'generic_decline') return declineCode;
  return error.code || 'card_declined';
}

type Mapping = (error: StripeErrorLike, operation: string, said: string, status: string) => Error;

const declined: Mapping = (error, operation, said) =>
  new CardDeclinedError(`${operation}: card declined: ${said}`, declineReason(error));

const throttled: Mapping = (_error, operation, _said, status) =>
  new ThrottlingError(`${operation}: the gateway is rate limiting${status}; retry later`);

const inProgress: Mapping = (_error, operation, _said, status) =>
  new GatewayRequestInProgressError(
    `${operation}: another request with the same idempotency key is still in progress at the gateway${status}; ` +
      'retry with the same key',
  );

// Retryable on purpose: the saga stops at this step with the hold kept, and can be redriven once
// the secret is fixed. The gateway's own message is not passed on: it quotes part of the key.
const keyRejected: Mapping = (_error, operation, _said, status) =>
  new GatewayKeyRejectedError(
    `${operation}: the gateway rejected the API key${status}; check the gateway secret, then redrive`,
  );

const unavailable: Mapping = (_error, operation, said, status) =>
  new GatewayUnavailableError(`${operation}: gateway error${status}: ${said}`);

function connectionFailure(error: StripeErrorLike, operation: string): Error {
  const code = detailCode(error);
  if (code && NOT_SENT_CODES.has(code)) {
    return new GatewayUnavailableError(`${operation}: cannot connect to the gateway (${code}); retry later`);
  }
  return new GatewayTimeoutError(
    `${operation}: no answer from the gateway (${code ?? 'connection lost'}); it may have acted, ` +
      'retry with the same idempotency key',
  );
}

/** Declines and 429s first; then a request in progress (any type); then by type. */
const FIRST: Partial<Record<StripeErrorType, Mapping>> = {
  StripeCardError: declined,
  StripeRateLimitError: throttled,
};

const BY_TYPE: Record<StripeErrorType, Mapping> = {
  StripeCardError: declined,
  StripeRateLimitError: throttled,
  StripeIdempotencyError: (_error, operation, _said, status) =>
    new InvalidPaymentError(
      `${operation}: the idempotency key was already used with different parameters${status}; ` +
        'the same paymentId must always carry the same request',
    ),
  StripeInvalidRequestError: (_error, operation, said, status) =>
    new InvalidPaymentError(`${operation}: the gateway refused the request${status}: ${said}`),
  StripeAuthenticationError: keyRejected,
  StripePermissionError: keyRejected,
  StripeConnectionError: (error, operation) => connectionFailure(error, operation),
  StripeAPIError: unavailable,
};

/**
 * Maps whatever the Stripe client threw to a paysaga error whose `name` the saga's Retry/Catch
 * understands. `operation` says what was attempted ("charge pay_123").
 */
export function toPaysagaError(error: unknown, operation: string): Error {
  if (error instanceof PaysagaError) return error;
  if (!isStripeError(error)) {
    // Not from the Stripe client (a bug of ours, or a runtime fault): the outcome is unknown, so it is ambiguous.
    const text = error instanceof Error ? error.message : String(error);
    return new GatewayTimeoutError(
      `${operation}: unexpected failure talking to the gateway: ${safeGatewayMessage(text)}`,
    );
  }
  const said = safeGatewayMessage(error.message);
  const status = error.statusCode ? ` (HTTP ${error.statusCode})` : '';
  const mapping = FIRST[error.type] ?? (isInProgress(error) ? inProgress : BY_TYPE[error.type]);
  return mapping(error, operation, said, status);
}
