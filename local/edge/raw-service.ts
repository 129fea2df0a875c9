import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A service the edge hands the untouched HTTP exchange to (DynamoDB via
 * dynalite, SQS via fauxqs): they speak the wire protocol themselves, so the
 * edge only routes by the `X-Amz-Target` prefix.
 */
export interface RawAwsService {
  /** e.g. "DynamoDB_20120810", "AmazonSQS". */
  readonly targetPrefix: string;
  handleRaw(request: IncomingMessage, response: ServerResponse): void | Promise<void>;
}
