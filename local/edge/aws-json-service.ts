/**
 * The contract between the edge endpoint and each emulated AWS service.
 * The edge routes a request by its `X-Amz-Target` header ("<targetPrefix>.<Operation>")
 * and turns a thrown AwsServiceError into the AWS JSON error shape the SDK v3 parses
 * (`__type`, `message`, HTTP status) so callers get the right exception class.
 */

export interface AwsRequestContext {
  readonly region: string;
  readonly accountId: string;
  /** The access key id of the caller, when signed (used as "who" by audit records locally). */
  readonly accessKeyId?: string;
}

export interface AwsJsonService {
  /** e.g. "AWSStepFunctions", "AWSEvents", "AmazonSQS", "secretsmanager". */
  readonly targetPrefix: string;
  /** Service name for SigV4 scope matching ("states", "events", "sqs", "secretsmanager"). */
  readonly signingName: string;
  handle(operation: string, input: unknown, context: AwsRequestContext): Promise<unknown>;
}

export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';
  constructor(
    /** AWS error code, e.g. "ExecutionAlreadyExists", "ResourceNotFoundException". */
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}
