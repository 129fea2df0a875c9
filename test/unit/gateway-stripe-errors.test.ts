import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  CardDeclinedError,
  GatewayTimeoutError,
  GatewayUnavailableError,
  ThrottlingError,
} from '../../core/errors';
import { safeGatewayMessage, toPaysagaError } from '../../core/gateway/stripe-errors';

const connectionError = (code: string) =>
  new Stripe.errors.StripeConnectionError({
    message: 'connection',
    detail: Object.assign(new Error(code), { code }),
  });

describe('Function: toPaysagaError', () => {
  it.each([
    [
      'a generic decline',
      new Stripe.errors.StripeCardError({
        message: 'declined',
        code: 'card_declined',
        decline_code: 'generic_decline',
        statusCode: 402,
      }),
      'CardDeclinedError',
      'card_declined',
    ],
    [
      'an insufficient-funds decline',
      new Stripe.errors.StripeCardError({
        message: 'nsf',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        statusCode: 402,
      }),
      'CardDeclinedError',
      'insufficient_funds',
    ],
    [
      'an invalid request',
      new Stripe.errors.StripeInvalidRequestError({ message: 'bad', statusCode: 400 }),
      'InvalidPaymentError',
      'invalid_payment',
    ],
    [
      'an idempotency conflict',
      new Stripe.errors.StripeIdempotencyError({ message: 'keys', statusCode: 400 }),
      'InvalidPaymentError',
      'invalid_payment',
    ],
    [
      'a request with the same key still in progress (409)',
      new Stripe.errors.StripeIdempotencyError({
        message: 'There is currently another in-progress request using this Idempotency Key',
        code: 'idempotency_key_in_use',
        statusCode: 409,
      }),
      'GatewayTimeoutError',
      'gateway_timeout',
    ],
    [
      'a key reused with other parameters, even when answered with HTTP 409',
      new Stripe.errors.StripeIdempotencyError({
        message:
          'Keys for idempotent requests can only be used with the same parameters they were first used with.',
        statusCode: 409,
      }),
      'InvalidPaymentError',
      'invalid_payment',
    ],
    [
      'a 429',
      new Stripe.errors.StripeRateLimitError({ message: 'slow down', statusCode: 429 }),
      'ThrottlingError',
      'throttled',
    ],
    [
      'a 503',
      new Stripe.errors.StripeAPIError({ message: 'down', statusCode: 503 }),
      'GatewayUnavailableError',
      'gateway_unavailable',
    ],
    [
      'a refused connection',
      connectionError('ECONNREFUSED'),
      'GatewayUnavailableError',
      'gateway_unavailable',
    ],
    ['a timeout', connectionError('ETIMEDOUT'), 'GatewayTimeoutError', 'gateway_timeout'],
    ['a dropped connection', connectionError('ECONNRESET'), 'GatewayTimeoutError', 'gateway_timeout'],
    [
      'a rejected key',
      new Stripe.errors.StripeAuthenticationError({ message: 'Invalid API Key', statusCode: 401 }),
      'GatewayUnavailableError',
      'gateway_unavailable',
    ],
  ])('maps %s', (_what, stripeError, name, reasonCode) => {
    // Prepare / Act
    const error = toPaysagaError(stripeError, 'charge pay-1') as Error & { reasonCode: string };

    // Assess
    expect(error.name).toBe(name);
    expect(error.reasonCode).toBe(reasonCode);
    expect(error.message).toMatch(/^charge pay-1: /);
  });

  it('keeps errors that are already paysaga errors', () => {
    // Prepare
    const original = new ThrottlingError('x');

    // Act / Assess
    expect(toPaysagaError(original, 'charge')).toBe(original);
  });

  it('never passes on a rejected key quoted by the gateway', () => {
    // Prepare
    const stripeError = new Stripe.errors.StripeAuthenticationError({
      message: 'Invalid API Key provided: sk_test_****wxyz',
      statusCode: 401,
    });

    // Act
    const error = toPaysagaError(stripeError, 'refund pay-2');

    // Assess
    expect(error).toBeInstanceOf(GatewayUnavailableError);
    expect(error.message).not.toContain('sk_test');
    expect(error.message).not.toContain('wxyz');
  });

  it('treats a non-SDK failure as ambiguous', () => {
    // Prepare / Act
    const error = toPaysagaError(new TypeError('boom'), 'charge pay-3');

    // Assess
    expect(error).toBeInstanceOf(GatewayTimeoutError);
  });

  it('builds declines that saga Catch lists recognise by name', () => {
    // Prepare / Act
    const error = toPaysagaError(
      new Stripe.errors.StripeCardError({
        message: 'lost',
        code: 'card_declined',
        decline_code: 'lost_card',
      }),
      'charge pay-4',
    );

    // Assess
    expect(error).toBeInstanceOf(CardDeclinedError);
    expect((error as CardDeclinedError).reasonCode).toBe('lost_card');
  });
});

describe('Function: safeGatewayMessage', () => {
  it('redacts API keys and card numbers', () => {
    // Prepare
    const text = 'key sk_live_abcDEF123 and rk_test_xyz, card 4242 4242 4242 4242 said no';

    // Act
    const safe = safeGatewayMessage(text);

    // Assess
    expect(safe).toBe('key [REDACTED KEY] and [REDACTED KEY], card [REDACTED PAN] said no');
  });
});
