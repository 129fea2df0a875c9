/**
 * One JSON line per API request in the access log. Every value is quoted so
 * the line stays valid JSON when API Gateway writes "-" for a missing value.
 * No field can carry card data: no body, no query string, no header but
 * the caller's address; the client id is the Cognito app client, not a secret.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  clientId: '$context.authorizer.claims.client_id',
  apiKeyId: '$context.identity.apiKeyId',
  httpMethod: '$context.httpMethod',
  // The route's template (/v1/payments/{paymentId}), never $context.path: a path segment is caller input
  // and could be a card number.
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  wafResponse: '$context.wafResponseCode',
  errorType: '$context.error.responseType',
  // Already a quoted JSON string (quotes inside the message are escaped): written without extra quotes.
  errorMessage: '$context.error.messageString',
} as const;

const PRE_QUOTED = ['$context.error.messageString'];

export function accessLogFormat(): string {
  let format = JSON.stringify(ACCESS_LOG_FIELDS);
  for (const variable of PRE_QUOTED) format = format.replace(`"${variable}"`, variable);
  return format;
}
