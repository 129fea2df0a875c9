import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { API } from '../../core/config/names';
import { type ApiClient, parseApiClients } from '../../core/frontdoor/clients';
import { type HttpResponse, problem } from '../../core/frontdoor/http';
import { env } from './env';
import { logger } from './logger';

/** The front door's clients, from API_CLIENTS at cold start. */
export const apiClients: ReadonlyMap<string, ApiClient> = parseApiClients(env.apiClients);

export type Caller = { readonly client: ApiClient } | { readonly response: HttpResponse };

/**
 * Who is calling, from the Cognito authorizer's claims (the local runtime
 * fills in the same claims from its API keys). API Gateway has already
 * checked the token and the route's scope; checking again here keeps a
 * misconfigured method from serving anyone.
 */
export function callerOf(event: APIGatewayProxyEvent, scope: keyof typeof API.scopes): Caller {
  const claims = (event.requestContext.authorizer?.claims ?? {}) as Record<string, unknown>;
  const clientId = claims.client_id;
  if (typeof clientId !== 'string') {
    return { response: problem(401, 'unauthenticated', 'Unauthenticated', 'no client credentials') };
  }
  const client = apiClients.get(clientId);
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!client || !scopes.includes(`${API.resourceServer}/${API.scopes[scope]}`)) {
    return {
      response: problem(403, 'forbidden', 'Forbidden', `this client lacks the ${API.scopes[scope]} scope`),
    };
  }
  if (client.apiKeyId !== undefined && event.requestContext.identity.apiKeyId !== client.apiKeyId) {
    return { response: problem(403, 'forbidden', 'Forbidden', 'this API key belongs to another client') };
  }
  return { client };
}

/** A header by name, case-insensitively (API Gateway passes them as sent). */
export function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

export function bodyOf(event: APIGatewayProxyEvent): string | null {
  if (event.body === null || !event.isBase64Encoded) return event.body;
  return Buffer.from(event.body, 'base64').toString('utf8');
}

export const proxyResult = (response: HttpResponse): APIGatewayProxyResult => ({
  statusCode: response.statusCode,
  headers: { ...response.headers },
  body: response.body,
});

/**
 * Runs a route; an unexpected error answers a bare 500 (nothing about the
 * request in it) and is logged by name and message, never with the body.
 */
export async function answer(run: () => Promise<HttpResponse>): Promise<APIGatewayProxyResult> {
  try {
    const response = await run();
    logger.info('request answered', { statusCode: response.statusCode });
    return proxyResult(response);
  } catch (error) {
    logger.error('request failed', {
      errorName: (error as Error).name,
      errorMessage: (error as Error).message,
    });
    return proxyResult(
      problem(
        500,
        'internal_error',
        'Internal error',
        'the request failed; retry with the same Idempotency-Key',
      ),
    );
  }
}
