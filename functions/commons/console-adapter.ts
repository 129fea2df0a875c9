import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type ConsoleApiOptions, handleConsoleApi } from '../../cli/console/handle-api';
import {
  CONSOLE_CONFIG_FILE,
  type ConsoleAccess,
  type ConsoleHostedConfig,
  consoleRouteAccess,
} from '../../core/config/console';

/**
 * The hosted console API's adapter: an API Gateway proxy event in, the
 * console's one pipeline (cli/console/handle-api.ts: the bearer token
 * verified, the route's group checked, the data functions acting as the
 * person), an API Gateway proxy result out. ./console-lambda.ts builds
 * it from its environment; tests build it over a local token issuer.
 */

export interface ConsoleAdapterOptions<D> {
  /** The access this function serves: a route of the other access is refused (405), whatever API Gateway sent. */
  readonly access: ConsoleAccess;
  /** What GET /console-config.json answers (before sign-in, the one route without the authorizer). */
  readonly hosted: ConsoleHostedConfig;
  /** The pipeline's options: its routes are this access's (cli/console/routes/read.ts, act.ts). */
  readonly api: ConsoleApiOptions<D>;
}

export type ConsoleProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const reply = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/** A header by name, whatever its case (API Gateway passes headers as the client sent them). */
function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** The request URL the route table reads: the path and every value of every query parameter. */
function urlOf(event: APIGatewayProxyEvent): URL {
  const url = new URL(`https://console.invalid${event.path}`);
  for (const [key, values] of Object.entries(event.multiValueQueryStringParameters ?? {}))
    for (const value of values ?? []) url.searchParams.append(key, value);
  return url;
}

/** An action's JSON body (API Gateway base64-encodes what it takes for binary); none is {}. */
function bodyOf(event: APIGatewayProxyEvent): unknown {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return JSON.parse(text) as unknown;
}

export function consoleApiAdapter<D>(options: ConsoleAdapterOptions<D>): ConsoleProxyHandler {
  return async (event) => {
    if (event.httpMethod === 'GET' && event.path === `/${CONSOLE_CONFIG_FILE}`)
      return reply(200, options.hosted);
    // API Gateway sends reads to one function and actions (and their plans) to the other; refused here too.
    if (consoleRouteAccess(event.httpMethod, event.path) !== options.access)
      return reply(405, { error: `this function serves ${options.access} routes only` });
    let body: unknown;
    try {
      body = event.httpMethod === 'POST' ? bodyOf(event) : undefined;
    } catch {
      return reply(400, { error: 'the action body is not JSON' });
    }
    const authorization = headerOf(event, 'authorization');
    const answer = await handleConsoleApi(options.api, {
      method: event.httpMethod,
      url: urlOf(event),
      body,
      ...(authorization !== undefined && { authorization }),
    });
    return reply(answer.status, answer.body);
  };
}
