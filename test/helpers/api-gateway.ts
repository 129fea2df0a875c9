import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** What a test says of a request; the rest of the event is filled in as API Gateway (REST, Lambda proxy) sends it. */
export interface ProxyRequest {
  readonly method: 'GET' | 'POST' | 'HEAD';
  /** The resource path as the function sees it: without the stage (e.g. /api/payments). */
  readonly path: string;
  /** Each query parameter with every value it was given. */
  readonly query?: Readonly<Record<string, readonly string[]>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Sends the body base64-encoded (isBase64Encoded), as API Gateway does for binary media types. */
  readonly base64?: boolean;
  /** The authorizer's claims (a Cognito user pools authorizer's); none: a method without an authorizer. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A REST API Lambda proxy event: both query forms, both header forms, the authorizer's claims. */
export function proxyEvent(request: ProxyRequest): APIGatewayProxyEvent {
  const query = request.query ?? {};
  const headers = request.headers ?? {};
  const hasQuery = Object.keys(query).length > 0;
  return {
    httpMethod: request.method,
    path: request.path,
    resource: '/api/{proxy+}',
    pathParameters: { proxy: request.path.replace(/^\/api\//, '') },
    headers: { ...headers },
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: hasQuery
      ? Object.fromEntries(Object.entries(query).map(([k, values]) => [k, values.at(-1) ?? '']))
      : null,
    multiValueQueryStringParameters: hasQuery
      ? Object.fromEntries(Object.entries(query).map(([k, values]) => [k, [...values]]))
      : null,
    body:
      request.body === undefined
        ? null
        : request.base64
          ? Buffer.from(request.body, 'utf8').toString('base64')
          : request.body,
    isBase64Encoded: Boolean(request.base64),
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'console-api',
      authorizer: request.claims ? { claims: { ...request.claims } } : null,
      protocol: 'HTTP/1.1',
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'vitest',
        userArn: null,
      },
      path: `/test${request.path}`,
      stage: 'test',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'proxy',
      resourcePath: '/api/{proxy+}',
    },
  };
}

/** The claims a Cognito user pools authorizer passes on from a verified ID token (the token's payload). */
export function claimsOf(idToken: string): Record<string, unknown> {
  const [, payload = ''] = idToken.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
