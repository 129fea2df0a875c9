import { ResponseType, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { problemType } from '../core/frontdoor/http';

/**
 * API Gateway's own refusals (no token, bad key, throttled, WAF, missing
 * header) answered as the same RFC 9457 problem documents the handlers and
 * the local front door send, so a client parses one error format.
 */
export const GATEWAY_PROBLEMS: readonly {
  readonly type: ResponseType;
  readonly status: number;
  readonly code: string;
  readonly title: string;
}[] = [
  { type: ResponseType.UNAUTHORIZED, status: 401, code: 'unauthenticated', title: 'Unauthenticated' },
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 403, code: 'forbidden', title: 'Forbidden' },
  { type: ResponseType.ACCESS_DENIED, status: 403, code: 'forbidden', title: 'Forbidden' },
  { type: ResponseType.INVALID_API_KEY, status: 403, code: 'forbidden', title: 'Forbidden' },
  { type: ResponseType.WAF_FILTERED, status: 403, code: 'forbidden', title: 'Forbidden' },
  { type: ResponseType.THROTTLED, status: 429, code: 'too_many_requests', title: 'Too many requests' },
  { type: ResponseType.QUOTA_EXCEEDED, status: 429, code: 'quota_exceeded', title: 'Daily quota exceeded' },
  {
    type: ResponseType.BAD_REQUEST_PARAMETERS,
    status: 400,
    code: 'invalid_request',
    title: 'Invalid payment request',
  },
  {
    type: ResponseType.REQUEST_TOO_LARGE,
    status: 413,
    code: 'payload_too_large',
    title: 'Payload too large',
  },
];

export function addGatewayProblems(api: RestApi): void {
  for (const problem of GATEWAY_PROBLEMS) {
    api.addGatewayResponse(`Problem${problem.type.responseType}`, {
      type: problem.type,
      statusCode: String(problem.status),
      responseHeaders: { 'Content-Type': "'application/problem+json'", 'Cache-Control': "'no-store'" },
      // $context.error.messageString arrives quoted; it names what was wrong, never request values.
      templates: {
        'application/json': `{"type":"${problemType(problem.code)}","title":"${problem.title}","status":${problem.status},"detail":$context.error.messageString}`,
      },
    });
  }
}
