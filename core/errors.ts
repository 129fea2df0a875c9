/**
 * Saga error classes. The Step Functions error name is the JS error's `name`,
 * so every class sets it explicitly and the ASL's Retry/Catch lists are
 * expanded from the lists below (core/saga/definition.ts; test/unit/asl.test.ts).
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

/** Our own transient errors: the step may succeed if retried with the same idempotency key. */
/**
 * A step ended with an error on neither list (e.g. DynamoDB's ValidationException):
 * the saga does not retry it, and does not leave the payment silent either. The
 * ASL catches it by this name: at Reserve the payment fails (nothing moved: the
 * step's one ledger write is a single conditional write); at Charge or Settle,
 * where money may have moved, the payment is parked for a person
 * (PaymentNeedsAttention and the compensation DLQ). The original error's name
 * and message are kept in the message.
 */
export class UnexpectedStepError extends PaysagaError {
  override readonly name = 'UnexpectedStepError';
  readonly reasonCode = 'unknown';
  constructor(
    readonly step: string,
    readonly originalName: string,
    originalMessage: string,
  ) {
    super(`${step} failed with ${originalName}: ${originalMessage}`.slice(0, 2000));
  }
}

/**
 * Errors that mean the deployment itself is broken (a missing setting): not
 * wrapped as UnexpectedStepError, so the execution stops at the step, holding
 * what it holds, and operations redrive it once the deployment is fixed.
 */
export const DEPLOYMENT_ERROR_NAMES = ['ConfigurationError'] as const;

export const PAYSAGA_TRANSIENT_ERROR_NAMES = [
  'GatewayUnavailableError',
  'GatewayTimeoutError',
  'ThrottlingError',
  'LedgerContentionError',
  'StepInProgressError',
] as const;

/**
 * What the AWS clients throw (the error's `name`) when DynamoDB, SQS, EventBridge
 * or Secrets Manager is busy or failing for a moment, after the client's own
 * attempts: throttling, capacity, a transaction conflict, a 5xx, a client-side
 * request timeout (the SDK's TimeoutError), a connection refused, reset or timed
 * out without an answer (the lean client's AwsNetworkError, core/aws/errors.ts).
 * Every step is idempotent, so retrying any of them is safe.
 */
export const AWS_TRANSIENT_ERROR_NAMES = [
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'TransactionConflictException',
  'TransactionInProgressException',
  'InternalServerError',
  'InternalServiceError',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'AwsNetworkError',
] as const;

/**
 * Powertools idempotency errors that mean "the idempotency table could not be
 * read or written just now" (the `name` its classes set): the step did not run
 * or its result is saved on the next attempt.
 */
export const POWERTOOLS_TRANSIENT_ERROR_NAMES = [
  'IdempotencyPersistenceLayerError',
  'IdempotencyInconsistentStateError',
] as const;

/**
 * How Lambda itself fails an invocation: service errors, and the function dying
 * mid-way (out of memory, a crash, its timeout), and the Task's own timeout.
 * Every step is idempotent (a stored result is replayed, an in-progress record
 * expires with the invocation), so all of them are retried.
 */
export const LAMBDA_TRANSIENT_ERROR_NAMES = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'Sandbox.Timedout',
  'Runtime.ExitError',
  'States.Timeout',
] as const;

/**
 * THE list of every transient error name a saga step can end with. Every Lambda
 * Task's Retry in the ASL is expanded from it (core/saga/definition.ts), and
 * test/unit/asl.test.ts checks that each Retry covers all of it.
 */
export const TRANSIENT_ERROR_NAMES = [
  ...PAYSAGA_TRANSIENT_ERROR_NAMES,
  ...AWS_TRANSIENT_ERROR_NAMES,
  ...POWERTOOLS_TRANSIENT_ERROR_NAMES,
  ...LAMBDA_TRANSIENT_ERROR_NAMES,
] as const;

/** The error a step throws while another invocation holds its idempotency record (its own retrier). */
export const IN_PROGRESS_ERROR_NAME =
  'StepInProgressError' satisfies (typeof PAYSAGA_TRANSIENT_ERROR_NAMES)[number];

export const FINAL_ERROR_NAMES = [
  'InsufficientFundsError',
  'CardDeclinedError',
  'InvalidPaymentError',
  'LedgerInvariantError',
] as const;

export type TransientErrorName = (typeof TRANSIENT_ERROR_NAMES)[number];
export type FinalErrorName = (typeof FINAL_ERROR_NAMES)[number];

export function isTransient(error: unknown): boolean {
  return error instanceof Error && (TRANSIENT_ERROR_NAMES as readonly string[]).includes(error.name);
}

/** On neither list and no deployment fault: what the step pipeline wraps as UnexpectedStepError. */
export function isUnexpected(error: unknown): boolean {
  return (
    error instanceof Error &&
    !(error instanceof PaysagaError) &&
    !isTransient(error) &&
    !(DEPLOYMENT_ERROR_NAMES as readonly string[]).includes(error.name)
  );
}

/**
 * Refunds (core/refunds): final business answers of the refund saga's Reserve
 * step and of the front door. Not on FINAL_ERROR_NAMES (the payment saga never
 * sees them); the refund ASL catches them by REFUND_FINAL_ERROR_NAMES.
 */
export class PaymentNotRefundableError extends PaysagaError {
  override readonly name = 'PaymentNotRefundableError';
  readonly reasonCode = 'payment_not_refundable';
}

/** The refund asks for more than is still refundable (`refundable`, minor units, says how much is). */
export class RefundExceedsRefundableError extends PaysagaError {
  override readonly name = 'RefundExceedsRefundableError';
  readonly reasonCode = 'refund_exceeds_refundable';
  constructor(
    message: string,
    readonly refundable: number,
  ) {
    super(message);
  }
}

/**
 * RecordOutcome could not move the refund record to the saga's outcome (e.g. SUCCEEDED while the record is
 * still REQUESTED): the record and the saga disagree; the step fails instead of publishing over it.
 */
export class RefundStatusConflictError extends PaysagaError {
  override readonly name = 'RefundStatusConflictError';
  readonly reasonCode = 'refund_status_conflict';
}

export const REFUND_FINAL_ERROR_NAMES = [
  ...FINAL_ERROR_NAMES,
  'PaymentNotRefundableError',
  'RefundExceedsRefundableError',
] as const;
