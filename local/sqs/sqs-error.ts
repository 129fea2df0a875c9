import { AwsServiceError } from '../edge/aws-json-service';

/** SQS's JSON protocol prefixes error types with its namespace; the SDK strips it. */
export function sqsError(code: string, message: string, statusCode = 400): AwsServiceError {
  return new AwsServiceError(`com.amazonaws.sqs#${code}`, message, statusCode);
}

/** The short code of an SQS error (`QueueDoesNotExist`), whatever form it arrived in. */
export function shortErrorCode(type: string): string {
  const afterHash = type.includes('#') ? type.slice(type.indexOf('#') + 1) : type;
  return afterHash.split(':')[0] ?? afterHash;
}
