/**
 * What an AWS service answered with an error, shaped like the SDK's service
 * exceptions so callers keep testing `error.name === 'ConditionalCheckFailedException'`:
 * `name` is the service's error code (e.g. "ConditionalCheckFailedException",
 * "QueueDoesNotExist", "NoSuchKey"), `$metadata.httpStatusCode` the status.
 * Other fields of the error body (DynamoDB's `Item` on a refused condition)
 * are kept in `details`.
 */
export class AwsServiceError extends Error {
  /** The service's error code; AwsServiceError when the service gave none. */
  override readonly name: string;
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string | undefined };
  readonly details: Record<string, unknown>;

  constructor(
    code: string | undefined,
    message: string,
    status: number,
    requestId: string | undefined,
    details: Record<string, unknown> = {},
  ) {
    super(message || `${code ?? 'AwsServiceError'} (HTTP ${status})`);
    this.name = code || 'AwsServiceError';
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, requestId };
    this.details = details;
  }
}

/** A request that got no answer (connection refused or reset, timeout). */
export class AwsNetworkError extends Error {
  override readonly name = 'AwsNetworkError';
  readonly $metadata = { httpStatusCode: 0 } as const;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);
const TRANSIENT = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
]);

/** The SDK's standard retry rule: network failures, 5xx/429, throttling and transient codes. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof AwsNetworkError) return true;
  if (!(error instanceof AwsServiceError)) return false;
  const status = error.$metadata.httpStatusCode;
  return status >= 500 || status === 429 || THROTTLING.has(error.name) || TRANSIENT.has(error.name);
}

export const isThrottling = (error: unknown): boolean =>
  error instanceof AwsServiceError && THROTTLING.has(error.name);
