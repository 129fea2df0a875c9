import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { API } from '../../core/config/names';
import { LOCAL_ACCOUNT_ID } from '../edge/request-context';
import { apiKeyIdOf, type LocalApiClient } from './api-clients';

export interface MatchedRoute {
  /** The route's path template, as API Gateway passes it in `resource`. */
  readonly resource: string;
  readonly pathParameters: Record<string, string> | null;
}

/** Each route's template as a pattern, compiled once (`{name}` is one path segment). */
const ROUTE_PATTERNS = Object.values(API.routes).map((route) => {
  const names: string[] = [];
  const pattern = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, names, regex: new RegExp(`^${pattern}$`) };
});

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Matches a request against the routes' templates. */
export function matchRoute(method: string, path: string): MatchedRoute | 'method_not_allowed' | undefined {
  let pathMatched = false;
  for (const { route, names, regex } of ROUTE_PATTERNS) {
    const match = regex.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const values = match.slice(1).map(decoded);
    return {
      resource: route.path,
      pathParameters: names.length
        ? Object.fromEntries(names.map((name, i) => [name, values[i] ?? '']))
        : null,
    };
  }
  return pathMatched ? 'method_not_allowed' : undefined;
}

/**
 * The REST API proxy event API Gateway would send, with the claims a Cognito
 * authorizer puts in requestContext for a client-credentials token.
 */
export function proxyEvent(
  request: IncomingMessage,
  route: MatchedRoute,
  client: LocalApiClient,
  body: string,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name] = value;
    else if (Array.isArray(value)) headers[name] = value.join(',');
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  const requestId = randomUUID();
  const now = Date.now();
  return {
    resource: route.resource,
    path: url.pathname,
    httpMethod: request.method ?? 'GET',
    headers,
    multiValueHeaders: {},
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : null,
    multiValueQueryStringParameters: null,
    pathParameters: route.pathParameters,
    stageVariables: null,
    body: body === '' ? null : body,
    isBase64Encoded: false,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'local',
      authorizer: {
        claims: {
          client_id: client.clientId,
          scope: client.scopes.map((scope) => `${API.resourceServer}/${API.scopes[scope]}`).join(' '),
          token_use: 'access',
        },
      },
      protocol: 'HTTP/1.1',
      httpMethod: request.method ?? 'GET',
      identity: {
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? null,
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: apiKeyIdOf(client),
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
      path: url.pathname,
      stage: 'local',
      requestId,
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: route.resource,
    },
  };
}
