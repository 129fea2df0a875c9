import type { AwsJsonService, AwsRequestContext } from './aws-json-service';
import { AwsServiceError } from './aws-json-service';
import type { InProcessAnswer } from './raw-service';

/** Largest JSON request body the edge reads (EventBridge and Step Functions cap at 256 KiB; SQS at 1 MiB). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** An AWS JSON-protocol error answer (`__type`, `message`), as the SDK v3 parses it. */
export function awsErrorAnswer(
  contentType: string,
  type: string,
  message: string,
  statusCode = 400,
): InProcessAnswer {
  const body = Buffer.from(JSON.stringify({ __type: type, message }));
  return {
    status: statusCode,
    headers: {
      'content-type': contentType,
      'x-amzn-errortype': type,
      'content-length': String(body.length),
    },
    body,
  };
}

/**
 * One AWS JSON-protocol call of an emulated service, whatever way it came in (HTTP or in process): the
 * body parsed, the operation run, its output or its AwsServiceError answered. Any other error is thrown.
 */
export async function jsonAnswer(
  service: AwsJsonService,
  operation: string,
  body: Buffer,
  contentType: string,
  context: AwsRequestContext,
): Promise<InProcessAnswer> {
  try {
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      throw new AwsServiceError('SerializationException', 'the request body is not valid JSON');
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new AwsServiceError('SerializationException', 'the request body must be a JSON object');
    }
    const output = Buffer.from(JSON.stringify((await service.handle(operation, input, context)) ?? {}));
    return {
      status: 200,
      headers: { 'content-type': contentType, 'content-length': String(output.length) },
      body: output,
    };
  } catch (error) {
    if (error instanceof AwsServiceError)
      return awsErrorAnswer(contentType, error.type, error.message, error.statusCode);
    throw error;
  }
}
