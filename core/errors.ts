/**
 * Saga error classes. The Step Functions error name is the JS error's `name`,
 * so every class sets it explicitly and the ASL's Retry/Catch lists are
 * generated from the two lists below (see test/unit/asl.test.ts).
 */

export abstract class PaysagaError extends Error {
  abstract override readonly name: string;
  /** Machine-readable reason carried into PaymentFailed events. */
  abstract readonly reasonCode: string;
}

/** Transient: the step may succeed if retried with the same idempotency key. */
export class GatewayUnavailableError extends PaysagaError {
  override readonly name = 'GatewayUnavailableError';
  readonly reasonCode = 'gateway_unavailable';
}

/** The gateway did not answer in time; the charge may or may not have happened. Retry with the same key. */
export class GatewayTimeoutError extends PaysagaError {
  override readonly name = 'GatewayTimeoutError';
  readonly reasonCode = 'gateway_timeout';
}

export class ThrottlingError extends PaysagaError {
  override readonly name = 'ThrottlingError';
  readonly reasonCode = 'throttled';
}

/** A conditional write lost a race with a concurrent writer of the same item; re-read and retry. */
export class LedgerContentionError extends PaysagaError {
  override readonly name = 'LedgerContentionError';
  readonly reasonCode = 'ledger_contention';
}

/** Another invocation with the same idempotency key is running (Powertools). */
export class StepInProgressError extends PaysagaError {
  override readonly name = 'StepInProgressError';
  readonly reasonCode = 'step_in_progress';
}

/** Final: retrying cannot help. */
export class InsufficientFundsError extends PaysagaError {
  override readonly name = 'InsufficientFundsError';
  readonly reasonCode = 'insufficient_funds';
}

export class CardDeclinedError extends PaysagaError {
  override readonly name = 'CardDeclinedError';
  readonly reasonCode: string;
  constructor(message: string, declineCode = 'card_declined') {
    super(message);
    this.reasonCode = declineCode;
  }
}

export class InvalidPaymentError extends PaysagaError {
  override readonly name = 'InvalidPaymentError';
  readonly reasonCode = 'invalid_payment';
}

/** The ledger or gateway state contradicts the saga (e.g. settle without a hold): needs a person. */
export class LedgerInvariantError extends PaysagaError {
  override readonly name = 'LedgerInvariantError';
  readonly reasonCode = 'ledger_invariant';
}

export const RETRYABLE_ERROR_NAMES = [
  'GatewayUnavailableError',
  'GatewayTimeoutError',
  'ThrottlingError',
  'LedgerContentionError',
  'StepInProgressError',
] as const;

export const FINAL_ERROR_NAMES = [
  'InsufficientFundsError',
  'CardDeclinedError',
  'InvalidPaymentError',
  'LedgerInvariantError',
] as const;

export type RetryableErrorName = (typeof RETRYABLE_ERROR_NAMES)[number];
export type FinalErrorName = (typeof FINAL_ERROR_NAMES)[number];

export function isRetryable(error: unknown): boolean {
  return error instanceof Error && (RETRYABLE_ERROR_NAMES as readonly string[]).includes(error.name);
}
