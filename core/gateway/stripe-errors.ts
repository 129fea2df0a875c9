import Stripe from 'stripe';
import {
  CardDeclinedError,
  GatewayTimeoutError,
  GatewayUnavailableError,
  InvalidPaymentError,
  PaysagaError,
  ThrottlingError,
} from '../errors';
import { redactPans } from '../pan';

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
 * Stripe's 409: the idempotency key is in use by a request still running (or the object is locked). An
 * idempotency error is in progress only by its code: a key reused with other parameters is final whatever
 * the HTTP status, so the class is tested before the status.
 */
function isInProgress(error: Stripe.errors.StripeError): boolean {
  if (error.code === 'idempotency_key_in_use') return true;
  if (error instanceof Stripe.errors.StripeIdempotencyError) return false;
  return error.statusCode === 409;
}

/** Connection failures that prove the request never reached the gateway: safe, plainly unavailable. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Stripe echoes part of a rejected key ("sk_test_****abcd"); strip keys and PANs from anything we pass on. */
export function safeGatewayMessage(text: string): string {
  return redactPans(text.replace(/\b(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9*_]+/g, '[REDACTED KEY]'));
}

function detailCode(error: Stripe.errors.StripeError): string | undefined {
  const detail: unknown = error.detail;
  if (detail && typeof detail === 'object' && 'code' in detail && typeof detail.code === 'string') {
    return detail.code;
  }
  return undefined;
}

/** Stripe's generic decline is our plain `card_declined`; specific decline codes are kept as the reason. */
function declineReason(error: Stripe.errors.StripeError): string {
  const declineCode = error.decline_code || undefined;
  if (declineCode && declineCode !== 'generic_decline') return declineCode;
  return error.code || 'card_declined';
}

/**
 * Maps whatever the Stripe SDK threw to a paysaga error whose `name` the saga's Retry/Catch
 * understands. `operation` says what was attempted ("charge pay_123").
 */
export function toPaysagaError(error: unknown, operation: string): Error {
  if (error instanceof PaysagaError) return error;
  if (!(error instanceof Stripe.errors.StripeError)) {
    // Not from the SDK (a bug of ours, or a runtime fault): the outcome is unknown, so it is ambiguous.
    const text = error instanceof Error ? error.message : String(error);
    return new GatewayTimeoutError(
      `${operation}: unexpected failure talking to the gateway: ${safeGatewayMessage(text)}`,
    );
  }
  const said = safeGatewayMessage(error.message);
  const status = error.statusCode ? ` (HTTP ${error.statusCode})` : '';
  if (error instanceof Stripe.errors.StripeCardError) {
    return new CardDeclinedError(`${operation}: card declined: ${said}`, declineReason(error));
  }
  if (error instanceof Stripe.errors.StripeRateLimitError) {
    return new ThrottlingError(`${operation}: the gateway is rate limiting${status}; retry later`);
  }
  if (isInProgress(error)) {
    return new GatewayRequestInProgressError(
      `${operation}: another request with the same idempotency key is still in progress at the gateway${status}; ` +
        'retry with the same key',
    );
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    return new InvalidPaymentError(
      `${operation}: the idempotency key was already used with different parameters${status}; ` +
        'the same paymentId must always carry the same request',
    );
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    return new InvalidPaymentError(`${operation}: the gateway refused the request${status}: ${said}`);
  }
  if (
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError
  ) {
    // Retryable on purpose: the saga stops at this step with the hold kept, and can be redriven once
    // the secret is fixed. The gateway's own message is not passed on: it quotes part of the key.
    return new GatewayKeyRejectedError(
      `${operation}: the gateway rejected the API key${status}; check the gateway secret, then redrive`,
    );
  }
  if (error instanceof Stripe.errors.StripeConnectionError) {
    const code = detailCode(error);
    if (code && NOT_SENT_CODES.has(code)) {
      return new GatewayUnavailableError(
        `${operation}: cannot connect to the gateway (${code}); retry later`,
      );
    }
    return new GatewayTimeoutError(
      `${operation}: no answer from the gateway (${code ?? 'connection lost'}); it may have acted, ` +
        'retry with the same idempotency key',
    );
  }
  return new GatewayUnavailableError(`${operation}: gateway error${status}: ${said}`);
}
